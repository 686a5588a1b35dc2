using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Serverless.Functions.Http;

/// <summary>
/// Reads a JSON request body within a size limit and hands the parsed document to a field reader.
/// Checks run cheapest first: media type (<c>415</c>), declared length (<c>413</c> without reading),
/// bytes actually sent (<c>413</c> as soon as the limit is passed), then syntax (<c>400</c>). A body
/// Kestrel cannot read (broken chunked framing, data arriving slower than
/// <c>MinRequestBodyDataRate</c>) is the client's error too: its <c>400</c>/<c>408</c>/<c>413</c>.
/// </summary>
public static class JsonRequestBody
{
    private static readonly JsonDocumentOptions ParseOptions = new()
    {
        MaxDepth = 16,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        // Two values for one field leave it to the parser which one wins; refuse instead.
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// Parses the body with <paramref name="read"/>. An empty body is passed as
    /// <see cref="JsonValueKind.Undefined"/> when <paramref name="allowEmpty"/>, else it is a <c>400</c>.
    /// </summary>
    public static async Task<RequestResult<T>> ReadAsync<T>(
        HttpRequest request, int limit, bool allowEmpty, Func<JsonElement, RequestResult<T>> read, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return ProblemResults.BodyTooLarge(limit);
        }

        var emptyDeclared = request.ContentLength == 0 || (request.ContentLength is null && string.IsNullOrEmpty(request.ContentType));
        if (!emptyDeclared && !IsJson(request.ContentType))
        {
            return ProblemResults.UnsupportedMediaType(request.ContentType);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    buffer = Grow(buffer, limit + 1);
                }

                int received;
                try
                {
                    received = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                }
                catch (BadHttpRequestException e)
                {
                    return ProblemResults.UnreadableBody(e.StatusCode, e.Message);
                }
                catch (IOException e) when (!request.HttpContext.RequestAborted.IsCancellationRequested)
                {
                    // Kestrel reports some framing errors (a chunk size past 64 bits) as a plain IOException.
                    return ProblemResults.UnreadableBody(StatusCodes.Status400BadRequest, e.Message);
                }

                if (received == 0)
                {
                    break;
                }

                length += received;
                if (length > limit)
                {
                    return ProblemResults.BodyTooLarge(limit);
                }
            }

            if (length == 0)
            {
                return allowEmpty ? read(default) : ProblemResults.Invalid(FieldErrors.Body, "A JSON body is required.");
            }

            if (!IsJson(request.ContentType))
            {
                return ProblemResults.UnsupportedMediaType(request.ContentType);
            }

            return Parse(buffer.AsMemory(0, length), read);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary><c>application/json</c> or a <c>+json</c> type, in UTF-8 (the only encoding JSON over HTTP may use, RFC 8259 §8.1).</summary>
    public static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MatchesAllSubTypes || media.MatchesAllTypes)
        {
            return false;
        }

        var json = media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                   || (media.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
                       && media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
        return json && (!media.Charset.HasValue
                        || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                        || media.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    private static RequestResult<T> Parse<T>(ReadOnlyMemory<byte> body, Func<JsonElement, RequestResult<T>> read)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, ParseOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : string.Empty;
            return ProblemResults.Invalid(FieldErrors.Body, $"Malformed JSON{where}: {FirstSentence(e.Message)}");
        }

        using (document)
        {
            return read(document.RootElement);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private static byte[] Grow(byte[] buffer, int max)
    {
        var grown = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max));
        buffer.CopyTo(grown, 0);
        ArrayPool<byte>.Shared.Return(buffer);
        return grown;
    }
}

using System.Text.Json;
using Serverless.Platform.Json;

namespace Serverless.Platform.Messaging;

/// <summary>A CloudEvent read from a stream entry, with the entry's publish metadata (empty when it had none or it was unreadable).</summary>
public sealed record ReceivedEvent(CloudEvent Event, IReadOnlyDictionary<string, string> Metadata, string? MetadataProblem = null);

/// <summary>Reads a CloudEvent from bytes a stream entry or an HTTP body carried; anything else is named as malformed.</summary>
public static class CloudEventReader
{
    /// <summary>
    /// One of our domain events: a CloudEvent 1.0 (<see cref="TryReadEnvelope"/>) whose <c>data</c>
    /// is a JSON object.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out CloudEvent? cloudEvent, out string? problem)
    {
        if (!TryReadEnvelope(json, out cloudEvent, out problem))
        {
            return false;
        }

        if (cloudEvent!.Data is not { ValueKind: JsonValueKind.Object })
        {
            problem = $"event {cloudEvent.Id} ({cloudEvent.Type}) carries no JSON object in 'data'";
            cloudEvent = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Any CloudEvent 1.0 in JSON: what an ordinary Dapr app publishes (<c>com.dapr.event.sent</c>
    /// with a text, JSON or <c>data_base64</c> payload, platform-semantics §7.5) as well as ours.
    /// </summary>
    public static bool TryReadEnvelope(ReadOnlySpan<byte> json, out CloudEvent? cloudEvent, out string? problem)
    {
        cloudEvent = null;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"not a CloudEvent: the JSON is a {document.RootElement.ValueKind}, not an object";
                return false;
            }

            cloudEvent = document.RootElement.Deserialize<CloudEvent>(WireJson.Options);
        }
        catch (JsonException e)
        {
            problem = $"not a CloudEvent: {e.Message}";
            return false;
        }

        problem = Check(cloudEvent!);
        if (problem is not null)
        {
            cloudEvent = null;
        }

        return problem is null;
    }

    /// <summary>
    /// A stream entry as Dapr's <c>pubsub.redis</c> reads it (platform-semantics §7.1): the CloudEvent
    /// in <paramref name="data"/>, and <paramref name="metadata"/> (null when the entry has no such
    /// field) as a JSON string map. Unreadable metadata does not fail the entry, as in Dapr: it reads
    /// as empty with <see cref="ReceivedEvent.MetadataProblem"/> saying why.
    /// </summary>
    public static bool TryReadEntry(ReadOnlySpan<byte> data, byte[]? metadata, out ReceivedEvent? received, out string? problem)
    {
        received = null;
        if (!TryReadEnvelope(data, out var cloudEvent, out problem))
        {
            return false;
        }

        IReadOnlyDictionary<string, string> entryMetadata = new Dictionary<string, string>();
        string? metadataProblem = null;
        if (metadata is not null)
        {
            // A failed parse leaves the metadata empty and names the problem; the entry stays readable.
            _ = PublishMetadata.TryParse(metadata, out entryMetadata, out metadataProblem);
        }

        received = new ReceivedEvent(cloudEvent!, entryMetadata, metadataProblem);
        return true;
    }

    private static string? Check(CloudEvent e)
    {
        if (e.SpecVersion != CloudEvent.SpecVersion10)
        {
            return $"not a CloudEvent 1.0: specversion is '{e.SpecVersion}'";
        }

        if (string.IsNullOrWhiteSpace(e.Id) || string.IsNullOrWhiteSpace(e.Source) || string.IsNullOrWhiteSpace(e.Type))
        {
            return "not a CloudEvent: id, source and type must be non-empty";
        }

        if (e.DataBase64 is not null)
        {
            if (e.Data is { ValueKind: not JsonValueKind.Null })
            {
                return $"event {e.Id} ({e.Type}) carries both 'data' and 'data_base64'";
            }

            if (!IsBase64(e.DataBase64))
            {
                return $"event {e.Id} ({e.Type}) carries 'data_base64' that is not base64";
            }
        }

        return null;
    }

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }
}

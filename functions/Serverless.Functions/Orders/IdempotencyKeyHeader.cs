using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Serverless.Functions.Http;

namespace Serverless.Functions.Orders;

/// <summary>
/// The <c>Idempotency-Key</c> request header (IETF httpapi idempotency-key draft): optional, one
/// value, sent bare (<c>abc</c>) or as a structured-field string (<c>"abc"</c>). Absent, a new key is
/// generated and returned so the client can retry with it.
/// </summary>
public static partial class IdempotencyKeyHeader
{
    public const string Name = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>Set on <c>202</c> when the key had already been used for the same order (a replay).</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>The key in effect, in the body of every problem answered to a placement.</summary>
    public const string ProblemExtension = "idempotencyKey";

    public static RequestResult<string> Read(HttpRequest request)
    {
        var values = request.Headers[Name];
        if (values.Count == 0)
        {
            return Guid.NewGuid().ToString("D");
        }

        if (values.Count > 1)
        {
            return ProblemResults.Invalid(Name, "Send the header once, with one key.");
        }

        var value = values[0] ?? string.Empty;
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1];
        }

        return Valid().IsMatch(value)
            ? value
            : ProblemResults.Invalid(Name, $"Must be 1-{MaxLength} printable ASCII characters without spaces (a UUID is a good key).");
    }

    [GeneratedRegex(@"\A[\x21-\x7E]{1,255}\z")]
    private static partial Regex Valid();
}

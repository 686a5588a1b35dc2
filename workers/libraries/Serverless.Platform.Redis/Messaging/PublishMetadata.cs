using System.Globalization;
using System.Text.Json;
using Serverless.Platform.Json;

namespace Serverless.Platform.Messaging;

/// <summary>
/// Dapr's publish metadata (platform-semantics §7.1): the component writes it as the stream entry's
/// <c>metadata</c> field, JSON of a string map, only when there is any; the sidecar turns
/// <c>ttlInSeconds</c> into the CloudEvent's <c>expiration</c> (components-contrib pubsub/envelope.go
/// <c>ApplyMetadata</c>, since pubsub.redis has no native message TTL) and subscribers drop the event after it.
/// </summary>
public static class PublishMetadata
{
    public const string StreamField = "metadata";
    public const string TtlInSeconds = "ttlInSeconds";

    /// <summary>
    /// The problems of <paramref name="metadata"/>, none when it is fine. Stricter than the sidecar,
    /// which ignores a TTL it cannot parse and so publishes an event that never expires.
    /// </summary>
    public static IEnumerable<string> Validate(IReadOnlyDictionary<string, string>? metadata)
    {
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                yield return "publish metadata keys must be non-empty";
            }
            else if (key == TtlInSeconds && !(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0))
            {
                yield return $"publish metadata {TtlInSeconds} must be a positive whole number of seconds; got '{value}'";
            }
            else if (key.Equals("ttl", StringComparison.OrdinalIgnoreCase))
            {
                yield return $"publish metadata 'ttl' is Dapr's duration alias: pass {TtlInSeconds} instead";
            }
            else if (key.Equals("rawPayload", StringComparison.OrdinalIgnoreCase))
            {
                yield return "publish metadata 'rawPayload' is not supported: this platform always publishes CloudEvents";
            }
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming every problem of <paramref name="metadata"/>.</summary>
    public static void EnsureValid(IReadOnlyDictionary<string, string>? metadata, string eventId)
    {
        var problems = Validate(metadata).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Event {eventId}: {string.Join("; ", problems)}.", nameof(metadata));
        }
    }

    public static TimeSpan? TtlOf(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(TtlInSeconds, out var value)
            ? TimeSpan.FromSeconds(int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture))
            : null;

    /// <summary>The <c>metadata</c> field as Go's <c>json.Marshal</c> of a map writes it: keys in ordinal order.</summary>
    public static byte[] Serialize(IReadOnlyDictionary<string, string> metadata) =>
        JsonSerializer.SerializeToUtf8Bytes(new SortedDictionary<string, string>(metadata.ToDictionary(), StringComparer.Ordinal), WireJson.Options);

    /// <summary>
    /// Reads a <c>metadata</c> field. Dapr's reader logs and goes on without metadata when it is not a
    /// JSON object of strings; <paramref name="problem"/> says why so the caller can do the same.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out IReadOnlyDictionary<string, string> metadata, out string? problem)
    {
        try
        {
            metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(json, WireJson.Options) ?? [];
            problem = null;
            return true;
        }
        catch (JsonException e)
        {
            metadata = new Dictionary<string, string>();
            problem = $"the entry's metadata is not a JSON object of strings: {e.Message}";
            return false;
        }
    }
}

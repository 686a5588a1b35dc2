using System.Globalization;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Messaging;

/// <summary>
/// What a Dapr sidecar subscribed to a <c>pubsub.redis</c> topic makes of one stream entry, written
/// from its source rather than from our reader: components-contrib pubsub/redis
/// <c>createRedisMessageWrapper</c> (§7.1), dapr/dapr pkg/runtime/subscription (§7.5 expiry) and the
/// HTTP delivery of §7.4. Used to show that our publisher's entries are ordinary Dapr events.
/// </summary>
internal static class DaprSubscriber
{
    public enum Outcome
    {
        /// <summary>POSTed to the app as <c>application/cloudevents+json</c>.</summary>
        Delivered,

        /// <summary>Expired: dropped (to the dead-letter topic if one is configured).</summary>
        Dropped,

        /// <summary>Not a CloudEvent: a retriable error, or the dead-letter topic.</summary>
        Failed,
    }

    /// <summary>
    /// <paramref name="AppData"/> is what the .NET SDK's <c>UseCloudEvents</c> hands the endpoint:
    /// the <c>data</c> JSON for JSON content, the decoded <c>data_base64</c>, or the text.
    /// </summary>
    public sealed record Delivery(
        Outcome Outcome, string? Reason, JsonElement CloudEvent, IReadOnlyDictionary<string, string>? Metadata, string ContentType, byte[] Body, byte[] AppData);

    public static Delivery Receive(StreamEntry entry, DateTimeOffset now)
    {
        // Component: "data" as bytes (absent = empty), "metadata" as a JSON string map, ignored with a warning when unreadable.
        var data = entry.Values.Where(v => v.Name == "data").Select(v => (byte[])v.Value!).FirstOrDefault() ?? [];
        Dictionary<string, string>? metadata = null;
        if (entry.Values.FirstOrDefault(v => v.Name == "metadata") is { Name.IsNull: false } field)
        {
            try
            {
                metadata = JsonSerializer.Deserialize<Dictionary<string, string>>((string)field.Value!);
            }
            catch (JsonException)
            {
                metadata = null;
            }
        }

        // Runtime: a binary "content-type" in the metadata would mean a binary-mode event; otherwise the data must be a JSON object.
        JsonElement cloudEvent;
        try
        {
            using var document = JsonDocument.Parse(data);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Failed($"data is a JSON {document.RootElement.ValueKind}");
            }

            cloudEvent = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Failed(e.Message);
        }

        if (cloudEvent.TryGetProperty("expiration", out var expiration)
            && DateTimeOffset.Parse(expiration.GetString()!, CultureInfo.InvariantCulture) < now)
        {
            return new Delivery(Outcome.Dropped, $"expired at {expiration.GetString()}", cloudEvent, metadata, string.Empty, [], []);
        }

        return new Delivery(Outcome.Delivered, null, cloudEvent, metadata, "application/cloudevents+json", data, AppDataOf(cloudEvent));

        Delivery Failed(string reason) => new(Outcome.Failed, $"error deserializing cloud event: {reason}", default, metadata, string.Empty, [], []);
    }

    private static byte[] AppDataOf(JsonElement cloudEvent)
    {
        if (cloudEvent.TryGetProperty("data_base64", out var base64))
        {
            return Convert.FromBase64String(base64.GetString()!);
        }

        if (!cloudEvent.TryGetProperty("data", out var payload))
        {
            return [];
        }

        var contentType = cloudEvent.TryGetProperty("datacontenttype", out var type) ? type.GetString() : null;
        var json = contentType is null || contentType.Contains("json", StringComparison.OrdinalIgnoreCase);
        return json || payload.ValueKind != JsonValueKind.String ? Encoding.UTF8.GetBytes(payload.GetRawText()) : Encoding.UTF8.GetBytes(payload.GetString()!);
    }
}

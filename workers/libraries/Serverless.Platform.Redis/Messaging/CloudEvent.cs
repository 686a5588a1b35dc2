using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Platform.Json;

namespace Serverless.Platform.Messaging;

/// <summary>
/// A CloudEvent 1.0 in the JSON shape Dapr's sidecar builds (platform-semantics §7.5): the usual
/// attributes plus <c>topic</c>, <c>pubsubname</c>, <c>traceid</c>/<c>traceparent</c> (same W3C
/// value), <c>tracestate</c>, <c>expiration</c>, and our extension attribute <c>correlationid</c>.
/// The payload is <c>data</c> (JSON, or a JSON string for text) or <c>data_base64</c> (binary);
/// <see cref="DataKind"/>, <see cref="DataText"/>, <see cref="DataBytes"/> and <see cref="DataAs{T}"/> read it whichever it is.
/// </summary>
public sealed record CloudEvent
{
    public const string SpecVersion10 = "1.0";
    public const string JsonContentType = "application/json";

    /// <summary>The media type of a structured CloudEvent (Dapr's push delivery and publish API).</summary>
    public const string MediaType = "application/cloudevents+json";

    [JsonPropertyName("specversion")]
    public string SpecVersion { get; init; } = SpecVersion10;

    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("source")]
    public required string Source { get; init; }

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("datacontenttype")]
    public string? DataContentType { get; init; } = JsonContentType;

    [JsonPropertyName("subject")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Subject { get; init; }

    /// <summary>RFC 3339 with seconds, as Dapr writes it.</summary>
    [JsonPropertyName("time")]
    public string? Time { get; init; }

    [JsonPropertyName("topic")]
    public string? Topic { get; init; }

    [JsonPropertyName("pubsubname")]
    public string? PubSubName { get; init; }

    [JsonPropertyName("traceid")]
    public string? TraceId { get; init; }

    [JsonPropertyName("traceparent")]
    public string? TraceParent { get; init; }

    [JsonPropertyName("tracestate")]
    public string? TraceState { get; init; }

    [JsonPropertyName("correlationid")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CorrelationId { get; init; }

    /// <summary>RFC 3339: Dapr drops the event on delivery after this instant (set from publish metadata <c>ttlInSeconds</c>).</summary>
    [JsonPropertyName("expiration")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Expiration { get; init; }

    [JsonPropertyName("data")]
    public JsonElement? Data { get; init; }

    /// <summary>A binary payload, base64: what the sidecar writes for binary content types (and protobuf).</summary>
    [JsonPropertyName("data_base64")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DataBase64 { get; init; }

    /// <summary>
    /// How the payload is carried: <c>data_base64</c> is binary; <c>data</c> is JSON when
    /// <c>datacontenttype</c> is JSON (or absent, as CloudEvents' JSON format implies), text when it
    /// is another type and <c>data</c> is a string (Dapr's <c>text/plain</c> default).
    /// </summary>
    [JsonIgnore]
    public CloudEventDataKind DataKind =>
        DataBase64 is not null ? CloudEventDataKind.Binary
        : Data is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? CloudEventDataKind.None
        : !IsJsonMediaType(DataContentType) && Data.Value.ValueKind == JsonValueKind.String ? CloudEventDataKind.Text
        : CloudEventDataKind.Json;

    /// <summary>The text payload, or null when the payload is not text.</summary>
    public string? DataText() => DataKind == CloudEventDataKind.Text ? Data!.Value.GetString() : null;

    /// <summary>The payload as bytes: decoded <c>data_base64</c>, the UTF-8 of a text payload, the JSON text of a JSON payload; empty when there is none.</summary>
    public byte[] DataBytes() => DataKind switch
    {
        CloudEventDataKind.Binary => Convert.FromBase64String(DataBase64!),
        CloudEventDataKind.Text => Encoding.UTF8.GetBytes(Data!.Value.GetString()!),
        CloudEventDataKind.Json => Encoding.UTF8.GetBytes(Data!.Value.GetRawText()),
        _ => [],
    };

    /// <summary>A JSON payload as <typeparamref name="T"/>; anything else is an <see cref="InvalidOperationException"/>.</summary>
    public T? DataAs<T>() => DataKind == CloudEventDataKind.Json
        ? Data!.Value.Deserialize<T>(WireJson.Options)
        : throw new InvalidOperationException($"Event {Id} ({Type}) carries {DataKind.ToString().ToLowerInvariant()} data ({DataContentType}), not JSON.");

    /// <summary><c>application/json</c>, <c>text/json</c> or any <c>+json</c> type, parameters ignored.</summary>
    public static bool IsJsonMediaType(string? contentType)
    {
        if (contentType is null)
        {
            return true;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }
}

public enum CloudEventDataKind
{
    None,
    Json,
    Text,
    Binary,
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Platform.Messaging;

/// <summary>
/// A CloudEvent 1.0 in the JSON shape Dapr's sidecar builds (platform-semantics §7.5): the usual
/// attributes plus <c>topic</c>, <c>pubsubname</c>, <c>traceid</c>/<c>traceparent</c> (same W3C
/// value), <c>tracestate</c>, and our extension attribute <c>correlationid</c>.
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

    [JsonPropertyName("data")]
    public JsonElement? Data { get; init; }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Serverless.Naming;
using Serverless.Platform.Environments;
using Serverless.Platform.Json;

namespace Serverless.Platform.Messaging;

/// <summary>
/// Builds the envelope the way Dapr's sidecar does (platform-semantics §7.5), from the outgoing
/// event, this process's app identity, the current trace (a producer span per publish) and the
/// correlation id of the work in progress.
/// </summary>
public sealed class CloudEventFactory(IOptions<MessagingOptions> messaging, IOptions<ServerlessEnvironmentOptions> environment, TimeProvider clock)
{
    public const string ActivitySourceName = "Serverless.Messaging";
    private static readonly ActivitySource Tracing = new(ActivitySourceName);

    public string StreamFor(string topic) => ResourceNames.For(environment.Value.Environment, topic);

    /// <summary>Starts the producer span of one publish; its context goes into the event.</summary>
    public static Activity? StartPublishSpan(string stream) =>
        Tracing.StartActivity($"{stream} publish", ActivityKind.Producer);

    public CloudEvent Create(OutgoingEvent outgoing)
    {
        PublishMetadata.EnsureValid(outgoing.Metadata, outgoing.Id);
        var now = clock.GetUtcNow();
        var trace = Activity.Current;
        var traceParent = trace is { IdFormat: ActivityIdFormat.W3C } ? trace.Id : string.Empty;
        return new CloudEvent
        {
            Id = outgoing.Id,
            Source = messaging.Value.Source,
            Type = outgoing.Type,
            Subject = outgoing.Subject,
            Time = Rfc3339(now),
            Topic = StreamFor(outgoing.Topic),
            PubSubName = messaging.Value.PubSubName,
            TraceId = traceParent,
            TraceParent = traceParent,
            TraceState = trace?.TraceStateString ?? string.Empty,
            CorrelationId = Correlation.CorrelationId.Current,
            // What the sidecar adds for ttlInSeconds (and overwrites with its own clock when we publish through it).
            Expiration = PublishMetadata.TtlOf(outgoing.Metadata) is { } ttl ? Rfc3339(now + ttl) : null,
            Data = JsonSerializer.SerializeToElement(outgoing.Data, outgoing.Data.GetType(), WireJson.Options),
        };
    }

    /// <summary>RFC 3339 with seconds, as Go's <c>time.RFC3339</c> writes a UTC instant.</summary>
    private static string Rfc3339(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static byte[] Serialize(CloudEvent cloudEvent) => JsonSerializer.SerializeToUtf8Bytes(cloudEvent, WireJson.Options);
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
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

    public string StreamFor(string topic) => TopicNames.For(environment.Value.Environment, topic);

    /// <summary>Starts the producer span of one publish; its context goes into the event.</summary>
    public static Activity? StartPublishSpan(string stream) =>
        Tracing.StartActivity($"{stream} publish", ActivityKind.Producer);

    public CloudEvent Create(OutgoingEvent outgoing)
    {
        var trace = Activity.Current;
        var traceParent = trace is { IdFormat: ActivityIdFormat.W3C } ? trace.Id : string.Empty;
        return new CloudEvent
        {
            Id = outgoing.Id,
            Source = messaging.Value.Source,
            Type = outgoing.Type,
            Subject = outgoing.Subject,
            Time = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Topic = StreamFor(outgoing.Topic),
            PubSubName = messaging.Value.PubSubName,
            TraceId = traceParent,
            TraceParent = traceParent,
            TraceState = trace?.TraceStateString ?? string.Empty,
            CorrelationId = Correlation.CorrelationId.Current,
            Data = JsonSerializer.SerializeToElement(outgoing.Data, outgoing.Data.GetType(), WireJson.Options),
        };
    }

    public static byte[] Serialize(CloudEvent cloudEvent) => JsonSerializer.SerializeToUtf8Bytes(cloudEvent, WireJson.Options);
}

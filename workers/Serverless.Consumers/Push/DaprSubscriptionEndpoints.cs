using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Serverless.Consumers.Consuming;
using Serverless.Naming;
using Serverless.Platform.Environments;
using Serverless.Platform.Messaging;

namespace Serverless.Consumers.Push;

/// <summary>One entry of Dapr's programmatic subscription list (platform-semantics §7.4).</summary>
public sealed record DaprSubscription(
    [property: JsonPropertyName("pubsubname")] string PubSubName,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("route")] string Route,
    [property: JsonPropertyName("deadLetterTopic")] string DeadLetterTopic);

/// <summary>Dapr's answer vocabulary for a delivered event.</summary>
public sealed record DaprStatus([property: JsonPropertyName("status")] string Status)
{
    public static DaprStatus Success { get; } = new("SUCCESS");

    public static DaprStatus Retry { get; } = new("RETRY");

    public static DaprStatus Drop { get; } = new("DROP");
}

/// <summary>
/// The same handlers behind Dapr's push delivery: <c>GET /dapr/subscribe</c> lists the topics, and
/// <c>POST /events/{handler}</c> takes one <c>application/cloudevents+json</c> event and answers
/// SUCCESS (applied, already applied, or not the handler's business), DROP (not a CloudEvent, or
/// refused by the handler: never retry; Dapr moves it to the
/// dead-letter topic) or RETRY (the handler failed; Dapr's resiliency policy retries).
/// </summary>
public static partial class DaprSubscriptionEndpoints
{
    public static string RouteFor(string handler) => $"/events/{handler}";

    public static WebApplication MapDaprSubscriptions(this WebApplication app)
    {
        app.MapGet("/dapr/subscribe", (IOptions<ConsumerOptions> options, IOptions<ServerlessEnvironmentOptions> environment) =>
            Subscriptions(options.Value, environment.Value.Environment));
        app.MapPost(RouteFor("{handler}"), HandleAsync);
        return app;
    }

    public static IReadOnlyList<DaprSubscription> Subscriptions(ConsumerOptions options, string environment) =>
        options.LogicalStreams.Select(topic =>
        {
            var stream = ResourceNames.For(environment, topic);
            return new DaprSubscription(options.PubSubName, stream, RouteFor(options.Handler), TopicNames.DeadLetterFor(stream, options.GroupName));
        }).ToList();

    private static async Task<IResult> HandleAsync(
        string handler, HttpRequest request, EventPipeline pipeline, IOptions<ConsumerOptions> options, ConsumerMetrics metrics, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var logger = loggers.CreateLogger(typeof(DaprSubscriptionEndpoints).FullName!);
        // An unknown route is a 404, which Dapr treats as "drop".
        if (!string.Equals(handler, settings.Handler, StringComparison.Ordinal))
        {
            return Results.NotFound();
        }

        var topic = request.Headers.TryGetValue("Pubsub-Topic", out var header) ? header.ToString() : "push";
        if (request.ContentType is not { } contentType
            || !(contentType.StartsWith(CloudEvent.MediaType, StringComparison.OrdinalIgnoreCase) || contentType.StartsWith(CloudEvent.JsonContentType, StringComparison.OrdinalIgnoreCase)))
        {
            LogDropped(logger, $"content type '{request.ContentType}' is not {CloudEvent.MediaType}");
            metrics.DeadLettered(topic, settings.GroupName, "malformed");
            return Results.Ok(DaprStatus.Drop);
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        // The body is the CloudEvent alone; the stream entry's metadata field is the sidecar's to read.
        var result = await pipeline.ProcessAsync(body.ToArray(), metadata: null, settings.GroupName, cancellationToken);
        switch (result.Outcome)
        {
            case DeliveryOutcome.Applied or DeliveryOutcome.Duplicate:
                metrics.Processed(topic, settings.GroupName, result.EventType!, result.Outcome == DeliveryOutcome.Duplicate);
                return Results.Ok(DaprStatus.Success);
            case DeliveryOutcome.Ignored:
                metrics.Ignored(topic, settings.GroupName, result.EventType!);
                return Results.Ok(DaprStatus.Success);
            case DeliveryOutcome.Malformed or DeliveryOutcome.Expired:
                LogDropped(logger, result.Reason!);
                metrics.DeadLettered(topic, settings.GroupName, result.Outcome == DeliveryOutcome.Expired ? "expired" : "malformed");
                return Results.Ok(DaprStatus.Drop);
            default:
                metrics.Failed(topic, settings.GroupName);
                return Results.Ok(DaprStatus.Retry);
        }
    }

    [LoggerMessage(7000, LogLevel.Warning, "Dropping a pushed event: {Reason}")]
    private static partial void LogDropped(ILogger logger, string reason);
}

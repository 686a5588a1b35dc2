using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Serverless.Platform.Messaging;

/// <summary>
/// Publishes through the sidecar as a structured CloudEvent (<c>application/cloudevents+json</c>):
/// the sidecar keeps our id, type, source, subject and extension attributes and overwrites only
/// <c>topic</c> and <c>pubsubname</c> (platform-semantics §7.5), so both paths produce one format.
/// </summary>
public sealed class DaprEventPublisher(DaprClient dapr, CloudEventFactory events, IOptions<MessagingOptions> options) : IEventPublisher
{
    public async Task PublishAsync(OutgoingEvent outgoing, CancellationToken cancellationToken)
    {
        var stream = events.StreamFor(outgoing.Topic);
        using var span = CloudEventFactory.StartPublishSpan(stream);
        var payload = CloudEventFactory.Serialize(events.Create(outgoing));
        await dapr.PublishByteEventAsync(options.Value.PubSubName, stream, payload, CloudEvent.MediaType, cancellationToken: cancellationToken);
    }
}

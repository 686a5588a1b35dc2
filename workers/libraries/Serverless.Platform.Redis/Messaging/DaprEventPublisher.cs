using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Serverless.Platform.Messaging;

/// <summary>
/// Publishes through the sidecar as a structured CloudEvent (<c>application/cloudevents+json</c>):
/// the sidecar keeps our id, type, source, subject and extension attributes and overwrites only
/// <c>topic</c> and <c>pubsubname</c> (platform-semantics §7.5), so both paths produce one format.
/// The publish metadata goes along as Dapr's request metadata: the component writes it as the
/// entry's <c>metadata</c> field and the sidecar sets <c>expiration</c> from <c>ttlInSeconds</c>.
/// Stream trimming is the component's (<c>maxLenApprox</c>, <c>streamTTL</c>), not ours.
/// </summary>
public sealed class DaprEventPublisher(DaprClient dapr, CloudEventFactory events, IOptions<MessagingOptions> options) : IEventPublisher
{
    public async Task PublishAsync(OutgoingEvent outgoing, CancellationToken cancellationToken)
    {
        var stream = events.StreamFor(outgoing.Topic);
        using var span = CloudEventFactory.StartPublishSpan(stream);
        var payload = CloudEventFactory.Serialize(events.Create(outgoing));
        var metadata = outgoing.Metadata is { Count: > 0 } given ? given.ToDictionary() : null;
        await dapr.PublishByteEventAsync(options.Value.PubSubName, stream, payload, CloudEvent.MediaType, metadata, cancellationToken);
    }
}

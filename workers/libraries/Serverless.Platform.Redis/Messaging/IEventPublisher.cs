namespace Serverless.Platform.Messaging;

/// <summary>
/// An event to publish. <paramref name="Topic"/> is logical (<c>orders</c>): the environment prefix is
/// added for you. <paramref name="Id"/> should be deterministic (e.g. workflow id + event type) so a
/// retried publish is recognised as the same event by every consumer's idempotency inbox.
/// <paramref name="Metadata"/> is Dapr's publish metadata (<see cref="PublishMetadata"/>): written as the
/// entry's <c>metadata</c> field, and <c>ttlInSeconds</c> also sets the CloudEvent's <c>expiration</c>.
/// </summary>
public sealed record OutgoingEvent(
    string Topic, string Id, string Type, object Data, string? Subject = null, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>Publishes CloudEvents: through a Dapr sidecar, or straight to the Redis stream in Dapr's format.</summary>
public interface IEventPublisher
{
    Task PublishAsync(OutgoingEvent outgoing, CancellationToken cancellationToken);
}

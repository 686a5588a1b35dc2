using Microsoft.Extensions.Options;
using Serverless.Platform.Redis;
using StackExchange.Redis;

namespace Serverless.Platform.Messaging;

/// <summary>
/// Publishes as Dapr's <c>pubsub.redis</c> does (platform-semantics §7.1): <c>XADD &lt;topic&gt;
/// [MAXLEN ~ N] * data &lt;CloudEvent JSON&gt;</c>. Waits while Redis is above its memory threshold
/// rather than pushing it into OOM; an OOM refusal surfaces as <see cref="RedisOutOfMemoryException"/>.
/// </summary>
public sealed class RedisStreamPublisher(
    RedisConnections connections, RedisMemoryGuard memory, CloudEventFactory events, IOptions<MessagingOptions> options) : IEventPublisher
{
    public const string DataField = "data";

    public async Task PublishAsync(OutgoingEvent outgoing, CancellationToken cancellationToken)
    {
        var stream = events.StreamFor(outgoing.Topic);
        using var span = CloudEventFactory.StartPublishSpan(stream);
        var payload = CloudEventFactory.Serialize(events.Create(outgoing));
        await memory.WaitForCapacityAsync(cancellationToken);
        var database = await connections.DatabaseAsync();
        try
        {
            await database.StreamAddAsync(
                    stream, DataField, payload, maxLength: options.Value.MaxLenApprox, useApproximateMaxLength: true)
                .WaitAsync(cancellationToken);
        }
        catch (RedisServerException e) when (RedisFailures.IsOutOfMemory(e))
        {
            throw memory.OutOfMemory(e, $"publishing {outgoing.Type} {outgoing.Id} to {stream}");
        }
    }
}

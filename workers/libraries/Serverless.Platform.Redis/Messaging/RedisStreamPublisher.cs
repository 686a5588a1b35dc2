using System.Globalization;
using Microsoft.Extensions.Options;
using Serverless.Platform.Redis;
using StackExchange.Redis;

namespace Serverless.Platform.Messaging;

/// <summary>
/// Publishes as Dapr's <c>pubsub.redis</c> does (platform-semantics §7.1): <c>XADD &lt;topic&gt;
/// [MAXLEN ~ N | MINID ~ &lt;now - streamTTL&gt;-1] * data &lt;CloudEvent JSON&gt; [metadata &lt;JSON&gt;]</c>.
/// Waits while Redis is above its memory threshold rather than pushing it into OOM; an OOM refusal
/// surfaces as <see cref="RedisOutOfMemoryException"/>.
/// </summary>
public sealed class RedisStreamPublisher(
    RedisConnections connections, RedisMemoryGuard memory, CloudEventFactory events, IOptions<MessagingOptions> options, TimeProvider clock)
    : IEventPublisher
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
            await database.ExecuteAsync("XADD", XAddArguments(stream, payload, outgoing.Metadata)).WaitAsync(cancellationToken);
        }
        catch (RedisServerException e) when (RedisFailures.IsOutOfMemory(e))
        {
            throw memory.OutOfMemory(e, $"publishing {outgoing.Type} {outgoing.Id} to {stream}");
        }
    }

    private object[] XAddArguments(string stream, byte[] payload, IReadOnlyDictionary<string, string>? metadata)
    {
        var arguments = new List<object> { (RedisKey)stream };
        var settings = options.Value;
        if (settings.MaxLenApprox is { } maxLength)
        {
            arguments.AddRange(["MAXLEN", "~", maxLength]);
        }
        else if (settings.StreamTtl is { } ttl)
        {
            // components-contrib Settings.GetMinID: the cut-off's Unix milliseconds with sequence 1.
            var cutoff = (clock.GetUtcNow() - ttl).ToUnixTimeMilliseconds();
            arguments.AddRange(["MINID", "~", $"{cutoff.ToString(CultureInfo.InvariantCulture)}-1"]);
        }

        arguments.AddRange(["*", DataField, payload]);
        if (metadata is { Count: > 0 })
        {
            arguments.AddRange([PublishMetadata.StreamField, PublishMetadata.Serialize(metadata)]);
        }

        return [.. arguments];
    }
}

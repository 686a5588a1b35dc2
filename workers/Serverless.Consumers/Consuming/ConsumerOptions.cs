using Serverless.Platform.Environments;

namespace Serverless.Consumers.Consuming;

public enum ConsumerDelivery
{
    /// <summary>Read the streams ourselves: one group per Deployment, one consumer name per pod (architecture §9).</summary>
    Pull,

    /// <summary>A Dapr sidecar pushes CloudEvents to <c>POST /events/{handler}</c> (subscriptions from <c>GET /dapr/subscribe</c>).</summary>
    DaprPush,
}

/// <summary>What this consumer process reads, with which handler, and how hard.</summary>
public sealed class ConsumerOptions
{
    public const string Section = "Consumer";

    /// <summary>The handler: <c>notifications</c>, <c>projection</c> or <c>audit</c>.</summary>
    public string Handler { get; set; } = string.Empty;

    /// <summary>Logical streams (topics), comma-separated; the environment prefix is added (<c>orders</c> → <c>dev-orders</c>).</summary>
    public string Streams { get; set; } = "orders";

    /// <summary>Consumer group (also the Dapr subscription's consumer); defaults to the handler name.</summary>
    public string? Group { get; set; }

    public ConsumerDelivery Delivery { get; set; } = ConsumerDelivery.Pull;

    /// <summary>This process's consumer name; defaults to <c>POD_NAME</c> (or the host name) plus a random suffix.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>Most entries taken per <c>XREADGROUP</c> or <c>XAUTOCLAIM</c> (never more than the free handler slots).</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Entries handled at once.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary><c>XREADGROUP ... BLOCK</c>: how long one read waits for new entries. Keep it well below the drain timeout.</summary>
    public TimeSpan BlockTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A handler gets this long per entry; entries pending longer than this (a crashed or stuck
    /// consumer) are reclaimed by another consumer with <c>XAUTOCLAIM</c>.
    /// </summary>
    public TimeSpan ProcessingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often to start a sweep that reclaims idle entries, refresh the lag metric and remove idle consumers.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After this many failed deliveries an entry goes to the dead-letter stream with its last error.</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>Other consumers of the group idle this long with nothing pending are deleted (scale-in leaves them behind).</summary>
    public TimeSpan IdleConsumerTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Dapr pub/sub component named in <c>GET /dapr/subscribe</c>.</summary>
    public string PubSubName { get; set; } = "pubsub";

    /// <summary>Inbox rows older than this are deleted: a redelivery this late cannot happen (entries are dead-lettered long before).</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Projection only: how often to check that the state store still holds the read model (rebuilt from PostgreSQL if not).</summary>
    public TimeSpan ReadModelCheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<string> LogicalStreams =>
        Streams.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public string GroupName => string.IsNullOrWhiteSpace(Group) ? Handler : Group;

    public IEnumerable<string> Validate(ServerlessEnvironmentOptions environment, IReadOnlyCollection<string> handlers)
    {
        if (!handlers.Contains(Handler, StringComparer.Ordinal))
        {
            yield return $"Consumer:Handler is '{Handler}'; set it to one of: {string.Join(", ", handlers)}.";
        }

        if (LogicalStreams.Count == 0)
        {
            yield return "Consumer:Streams names no stream; set it to one or more logical topics, e.g. orders.";
        }

        foreach (var duplicate in LogicalStreams.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"Consumer:Streams names '{duplicate.Key}' {duplicate.Count()} times.";
        }

        if (BatchSize is < 1 or > 10_000 || Concurrency is < 1 or > 10_000)
        {
            yield return $"Consumer:BatchSize ({BatchSize}) and Consumer:Concurrency ({Concurrency}) must be between 1 and 10000.";
        }

        if (BlockTime < TimeSpan.FromMilliseconds(10) || BlockTime > TimeSpan.FromSeconds(30))
        {
            yield return $"Consumer:BlockTime must be between 10 ms and 30 s; got {BlockTime}.";
        }

        if (ProcessingTimeout < TimeSpan.FromMilliseconds(100) || MaintenanceInterval < TimeSpan.FromMilliseconds(100))
        {
            yield return "Consumer:ProcessingTimeout and Consumer:MaintenanceInterval must be at least 100 ms.";
        }

        if (MaxDeliveries is < 1 or > 1000)
        {
            yield return $"Consumer:MaxDeliveries must be between 1 and 1000; got {MaxDeliveries}.";
        }

        if (IdleConsumerTimeout <= ProcessingTimeout)
        {
            yield return $"Consumer:IdleConsumerTimeout ({IdleConsumerTimeout}) must exceed Consumer:ProcessingTimeout ({ProcessingTimeout}): a live consumer must never look idle.";
        }

        if (ReadModelCheckInterval < TimeSpan.FromMilliseconds(100))
        {
            yield return $"Consumer:ReadModelCheckInterval must be at least 100 ms; got {ReadModelCheckInterval}.";
        }

        if (InboxRetention < TimeSpan.FromHours(1))
        {
            yield return $"Consumer:InboxRetention must be at least one hour; got {InboxRetention}.";
        }

        foreach (var mixing in EnvironmentGuard.FindMixing(
                     environment,
                     LogicalStreams.Select(s => ("Consumer:Streams", (string?)s))
                         .Append(("Consumer:Group", Group))
                         .Append(("Consumer:ConsumerName", ConsumerName))))
        {
            yield return mixing;
        }
    }
}

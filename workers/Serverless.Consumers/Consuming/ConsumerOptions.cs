using Serverless.Platform.Environments;

namespace Serverless.Consumers.Consuming;

public enum ConsumerDelivery
{
    /// <summary>Read the streams ourselves: one group per Deployment, one consumer name per pod (architecture §9).</summary>
    Pull,

    /// <summary>A Dapr sidecar pushes CloudEvents to <c>POST /events/{handler}</c> (subscriptions from <c>GET /dapr/subscribe</c>).</summary>
    DaprPush,
}

/// <summary>What happens to an entry whose handler failed (returned an error, not a timeout or shutdown), per subscription.</summary>
public enum HandlerErrorPolicy
{
    /// <summary>
    /// As Dapr ≥ 1.17 (platform-semantics §7.3): the entry is acknowledged once the handler returns,
    /// and, since every subscription here has a dead-letter stream, moved there with the error.
    /// </summary>
    Ack,

    /// <summary>As Dapr ≤ 1.16: the entry stays pending, is redelivered after the processing timeout and dead-lettered after <c>MaxDeliveries</c>.</summary>
    KeepPending,
}

/// <summary>What this consumer process reads, with which handler, and how hard.</summary>
public sealed class ConsumerOptions
{
    public const string Section = "Consumer";

    /// <summary>The handler: one of <see cref="Catalog.StreamHandlers.All"/> (<c>notifications</c>, <c>projection</c>, <c>audit</c>).</summary>
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
    /// Dapr's <c>processingTimeout</c> (default 60 s; whole milliseconds, a Go duration such as
    /// <c>30s</c>, or a TimeSpan): a handler gets this long per entry, and entries pending longer
    /// than this (a crashed or stuck consumer's) are reclaimed with <c>XAUTOCLAIM</c>. <c>0</c>
    /// disables reclaim and the handler deadline, as in Dapr.
    /// </summary>
    public string ProcessingTimeout { get; set; } = "60s";

    /// <summary>Dapr's <c>redeliverInterval</c> (default 15 s, same formats): how often a reclaim sweep starts. <c>0</c> disables reclaim.</summary>
    public string RedeliverInterval { get; set; } = "15s";

    /// <summary>How often to refresh the lag metric, remove idle consumers and trim the inbox (reclaim has <see cref="RedeliverInterval"/>).</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What a handler error does to the entry: acknowledge and dead-letter it (Dapr ≥ 1.17), or leave it pending for redelivery.</summary>
    public HandlerErrorPolicy OnHandlerError { get; set; } = HandlerErrorPolicy.Ack;

    /// <summary>After this many deliveries without an acknowledgement (with <see cref="HandlerErrorPolicy.KeepPending"/>: failed deliveries) an entry goes to the dead-letter stream with its last error.</summary>
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

    /// <summary><see cref="ProcessingTimeout"/> read (validated at start).</summary>
    public TimeSpan ProcessingTimeoutSpan => DaprDuration.ParseOrZero(ProcessingTimeout);

    /// <summary><see cref="RedeliverInterval"/> read (validated at start).</summary>
    public TimeSpan RedeliverIntervalSpan => DaprDuration.ParseOrZero(RedeliverInterval);

    /// <summary>Reclaim runs only when both durations are set, as in Dapr (platform-semantics §7.1).</summary>
    public bool ReclaimEnabled => ProcessingTimeoutSpan > TimeSpan.Zero && RedeliverIntervalSpan > TimeSpan.Zero;

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

        foreach (var (key, value) in new[] { ("Consumer:ProcessingTimeout", ProcessingTimeout), ("Consumer:RedeliverInterval", RedeliverInterval) })
        {
            if (!DaprDuration.TryParse(value, out var duration, out var problem))
            {
                yield return $"{key}: {problem}.";
            }
            else if (duration > TimeSpan.Zero && duration < TimeSpan.FromMilliseconds(100))
            {
                yield return $"{key} must be 0 (no reclaim) or at least 100 ms; got {duration}. A bare number is milliseconds, as in Dapr.";
            }
        }

        if (MaintenanceInterval < TimeSpan.FromMilliseconds(100))
        {
            yield return $"Consumer:MaintenanceInterval must be at least 100 ms; got {MaintenanceInterval}.";
        }

        if (!Enum.IsDefined(OnHandlerError))
        {
            yield return $"Consumer:OnHandlerError must be {nameof(HandlerErrorPolicy.Ack)} or {nameof(HandlerErrorPolicy.KeepPending)}.";
        }

        if (MaxDeliveries is < 1 or > 1000)
        {
            yield return $"Consumer:MaxDeliveries must be between 1 and 1000; got {MaxDeliveries}.";
        }

        if (IdleConsumerTimeout <= ProcessingTimeoutSpan)
        {
            yield return $"Consumer:IdleConsumerTimeout ({IdleConsumerTimeout}) must exceed Consumer:ProcessingTimeout ({ProcessingTimeoutSpan}): a live consumer must never look idle.";
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

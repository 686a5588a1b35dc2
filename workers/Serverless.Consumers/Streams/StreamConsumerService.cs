using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Serverless.Consumers.Consuming;
using Serverless.Platform.Hosting;
using Serverless.Platform.Redis;

namespace Serverless.Consumers.Streams;

/// <summary>
/// Consumes one stream for one group as one named consumer (architecture §5, §9):
/// <list type="bullet">
/// <item>reads new entries with a blocking <c>XREADGROUP</c>, never more than the free handler slots;</item>
/// <item>acknowledges an entry only after its effect is committed; a failure leaves it pending;</item>
/// <item>reclaims entries pending longer than the processing timeout (<c>XAUTOCLAIM</c>);</item>
/// <item>dead-letters an entry after <c>MaxDeliveries</c> failed deliveries, and malformed entries at once;</item>
/// <item>deletes other consumers that are idle with nothing pending (scale-in leaves them behind);</item>
/// <item>on SIGTERM stops reading, lets in-flight entries finish and acknowledge within the drain
/// timeout, leaves the rest pending for others, and removes itself from the group if it can;</item>
/// <item>when Redis drops, retries with capped exponential backoff, never in a tight loop.</item>
/// </list>
/// </summary>
public sealed partial class StreamConsumerService(
    string stream,
    EventPipeline pipeline,
    RedisConnections connections,
    ConsumerIdentity identity,
    ConsumerReadiness readiness,
    ConsumerMetrics metrics,
    IOptions<ConsumerOptions> options,
    IOptions<ShutdownBudgetOptions> budget,
    ILogger<StreamConsumerService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan InboxTrimInterval = TimeSpan.FromHours(1);

    private readonly ConsumerOptions settings = options.Value;
    private readonly ConcurrentDictionary<string, Task> inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim slots = new(options.Value.Concurrency, options.Value.Concurrency);
    private CancellationTokenSource? drain;
    private DateTime nextInboxTrim = DateTime.UtcNow;

    public string Stream => stream;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // In-flight handlers keep going after the stop signal, but only for the drain timeout.
        drain?.CancelAfter(budget.Value.DrainTimeout);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        drain?.Dispose();
        slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        drain = new CancellationTokenSource();
        readiness.Expect(stream);
        var retryDelay = FirstRetryDelay;
        ConsumerGroupClient? group = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                group ??= await ConnectAsync();
                await group.EnsureGroupAsync();
                readiness.MarkReading(stream);
                LogReading(stream, group.Group, group.Consumer, settings.Concurrency, settings.ProcessingTimeout);
                retryDelay = FirstRetryDelay;
                await ConsumeAsync(group, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                readiness.MarkNotReading(stream, e.Message);
                LogRedisTrouble(stream, retryDelay, e.Message);
                await DelayAsync(retryDelay, stoppingToken);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: whatever the read was doing no longer matters; drain below.
                break;
            }
        }

        readiness.MarkNotReading(stream, "stopping");
        await DrainAsync(group);
    }

    private async Task<ConsumerGroupClient> ConnectAsync()
    {
        var shared = await connections.DatabaseAsync();
        var blocking = await connections.DedicatedDatabaseAsync(settings.BlockTime);
        return new ConsumerGroupClient(shared, blocking, stream, settings.GroupName, identity.Name);
    }

    private async Task ConsumeAsync(ConsumerGroupClient group, CancellationToken stoppingToken)
    {
        var nextMaintenance = DateTime.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            await slots.WaitAsync(stoppingToken);
            slots.Release();
            if (DateTime.UtcNow >= nextMaintenance)
            {
                await MaintainAsync(group, stoppingToken);
                nextMaintenance = DateTime.UtcNow + settings.MaintenanceInterval;
            }

            var wanted = Math.Min(settings.BatchSize, slots.CurrentCount);
            var entries = await group.ReadNewAsync(wanted, settings.BlockTime).WaitAsync(stoppingToken);
            await DispatchAsync(group, entries, stoppingToken);
        }
    }

    /// <summary>Reclaims idle entries, refreshes the backlog metric, removes idle consumers, trims the inbox.</summary>
    private async Task MaintainAsync(ConsumerGroupClient group, CancellationToken stoppingToken)
    {
        var reclaimed = await group.ReclaimAsync(settings.ProcessingTimeout, Math.Max(1, slots.CurrentCount));
        if (reclaimed.Count > 0)
        {
            LogReclaimed(reclaimed.Count, stream);
        }

        await DispatchAsync(group, reclaimed, stoppingToken);
        var (lag, pending) = await group.BacklogAsync();
        metrics.Backlog(stream, group.Group, lag, pending);
        foreach (var idle in await group.IdleConsumersAsync(settings.IdleConsumerTimeout))
        {
            if (await group.DeleteConsumerIfIdleAsync(idle, settings.IdleConsumerTimeout))
            {
                LogDeletedConsumer(idle, stream, group.Group);
            }
        }

        if (DateTime.UtcNow >= nextInboxTrim)
        {
            nextInboxTrim = DateTime.UtcNow + InboxTrimInterval;
            await pipeline.TrimInboxAsync(group.Group, settings.InboxRetention, stoppingToken);
        }
    }

    private async Task DispatchAsync(ConsumerGroupClient group, IReadOnlyList<ConsumedEntry> entries, CancellationToken stoppingToken)
    {
        foreach (var entry in entries)
        {
            // After the stop signal nothing new starts: the rest stays pending for other consumers.
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await slots.WaitAsync(CancellationToken.None);
            var task = HandleAsync(group, entry);
            inFlight[entry.Id] = task;
            _ = task.ContinueWith(
                _ =>
                {
                    inFlight.TryRemove(entry.Id, out Task? _);
                    slots.Release();
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(ConsumerGroupClient group, ConsumedEntry entry)
    {
        await Task.Yield();
        try
        {
            if (entry.Deliveries > settings.MaxDeliveries)
            {
                // Delivered that often without an acknowledgement: it crashes or stalls its consumer.
                var last = await group.LastErrorAsync(entry.Id);
                await DeadLetterAsync(group, entry, $"delivered {entry.Deliveries} times without being acknowledged (max {settings.MaxDeliveries}); last error: {last ?? "none recorded (consumer crashed or timed out)"}", "max-deliveries");
                return;
            }

            if (entry.Payload.IsNull)
            {
                await DeadLetterAsync(group, entry, "entry has no 'data' field", "malformed");
                return;
            }

            if (entry.Deliveries > 1)
            {
                metrics.Redelivered(stream, group.Group);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(drain!.Token);
            timeout.CancelAfter(settings.ProcessingTimeout);
            var started = Stopwatch.GetTimestamp();
            var result = await pipeline.ProcessAsync((byte[])entry.Payload!, group.Group, timeout.Token);
            metrics.HandlerTook(stream, group.Group, Stopwatch.GetElapsedTime(started));
            switch (result.Outcome)
            {
                case DeliveryOutcome.Applied or DeliveryOutcome.Duplicate:
                    await group.AcknowledgeAsync(entry.Id);
                    metrics.Processed(stream, group.Group, result.EventType!, result.Outcome == DeliveryOutcome.Duplicate);
                    break;
                case DeliveryOutcome.Malformed:
                    await DeadLetterAsync(group, entry, result.Reason!, "malformed");
                    break;
                default:
                    metrics.Failed(stream, group.Group);
                    if (entry.Deliveries >= settings.MaxDeliveries)
                    {
                        await DeadLetterAsync(group, entry, $"failed {entry.Deliveries} deliveries (max {settings.MaxDeliveries}): {result.Reason}", "failed");
                    }
                    else
                    {
                        await group.RememberErrorAsync(entry.Id, result.Reason!);
                    }

                    break;
            }
        }
        catch (Exception e)
        {
            // Redis went away between handling and acknowledging: the entry stays pending and is
            // reclaimed later; the inbox turns that redelivery into a no-op.
            LogAckFailed(entry.Id, stream, e.Message);
        }
    }

    private async Task DeadLetterAsync(ConsumerGroupClient group, ConsumedEntry entry, string reason, string kind)
    {
        await group.DeadLetterAsync(entry, reason);
        metrics.DeadLettered(stream, group.Group, kind);
        LogDeadLettered(entry.Id, stream, group.DeadLetterStream, reason);
    }

    private async Task DrainAsync(ConsumerGroupClient? group)
    {
        var remaining = inFlight.Values.ToList();
        if (remaining.Count > 0)
        {
            LogDraining(remaining.Count, stream);
            await Task.WhenAll(remaining);
        }

        if (group is not null)
        {
            try
            {
                // A consumer that leaves nothing pending removes itself: scale-to-zero leaves no ghosts.
                var removed = await group.DeleteConsumerIfIdleAsync(group.Consumer, TimeSpan.Zero);
                LogStopped(stream, removed);
            }
            catch (Exception e)
            {
                LogAckFailed("(consumer removal)", stream, e.Message);
            }
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            // Jitter keeps many consumers from reconnecting in lockstep after an outage.
            await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250)), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(6000, LogLevel.Information, "Reading {Stream} as {Group}/{Consumer}: {Concurrency} handler slots, processing timeout {ProcessingTimeout}")]
    private partial void LogReading(string stream, string group, string consumer, int concurrency, TimeSpan processingTimeout);

    [LoggerMessage(6001, LogLevel.Warning, "Redis trouble on {Stream}; retrying in {Delay}: {Error}")]
    private partial void LogRedisTrouble(string stream, TimeSpan delay, string error);

    [LoggerMessage(6002, LogLevel.Information, "Reclaimed {Count} idle entries of {Stream}")]
    private partial void LogReclaimed(int count, string stream);

    [LoggerMessage(6003, LogLevel.Warning, "Dead-lettered entry {EntryId} of {Stream} to {DeadLetterStream}: {Reason}")]
    private partial void LogDeadLettered(string entryId, string stream, string deadLetterStream, string reason);

    [LoggerMessage(6004, LogLevel.Warning, "Entry {EntryId} of {Stream} stays pending: {Error}")]
    private partial void LogAckFailed(string entryId, string stream, string error);

    [LoggerMessage(6005, LogLevel.Information, "Deleted idle consumer {Consumer} of {Stream}/{Group} (nothing pending)")]
    private partial void LogDeletedConsumer(string consumer, string stream, string group);

    [LoggerMessage(6006, LogLevel.Information, "Stopping: draining {Count} in-flight entries of {Stream}")]
    private partial void LogDraining(int count, string stream);

    [LoggerMessage(6007, LogLevel.Information, "Stopped consuming {Stream}; removed from the group: {Removed}")]
    private partial void LogStopped(string stream, bool removed);
}

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
/// <item>reads new entries with a blocking <c>XREADGROUP</c>, never more than the free handler slots,
/// and not at all while no slot is free;</item>
/// <item>acknowledges an entry once its effect is committed or the handler ignored it; a handler error
/// dead-letters it (<c>OnHandlerError=Ack</c>, as Dapr ≥ 1.17) or leaves it pending
/// (<c>KeepPending</c>); a handler that ran out of time or was stopped leaves it pending either way
/// (platform-semantics §7.3);</item>
/// <item>every <c>RedeliverInterval</c> starts a sweep that reclaims entries pending longer than the
/// processing timeout (<c>XAUTOCLAIM</c>) in batches of at most the free slots, interleaved with
/// non-blocking reads, until the pending list is scanned to its end: recovery runs at the handlers'
/// rate; either duration 0 disables reclaim, as in Dapr;</item>
/// <item>dead-letters an entry after <c>MaxDeliveries</c> deliveries without an acknowledgement, and unreadable, refused or expired entries at once;</item>
/// <item>deletes other consumers that are idle with nothing pending (scale-in leaves them behind);</item>
/// <item>on SIGTERM stops reading, lets in-flight entries finish and acknowledge within the drain
/// timeout, then hands what is still pending under its name (read but not started, failed, timed out)
/// to a live consumer of the group, ready to be reclaimed at once, and leaves the group; with no other
/// live consumer it keeps them under its name, equally ready, and stays in the group, because
/// <c>XGROUP DELCONSUMER</c> would drop them (their pending count keeps the work signal up, so a
/// replica comes to take them); with reclaim disabled nobody would take them, so it keeps them;</item>
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
    private Task? outstandingRead;
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
                LogReading(stream, group.Group, group.Consumer, settings.Concurrency, settings.ProcessingTimeoutSpan, settings.RedeliverIntervalSpan, settings.OnHandlerError);
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
        // Both connects at once: a cold start waits for one round of handshakes, not two.
        var shared = connections.DatabaseAsync();
        var blocking = connections.DedicatedDatabaseAsync(settings.BlockTime);
        await Task.WhenAll(shared, blocking);
        return new ConsumerGroupClient(await shared, await blocking, stream, settings.GroupName, identity.Name);
    }

    private async Task ConsumeAsync(ConsumerGroupClient group, CancellationToken stoppingToken)
    {
        var nextMaintenance = DateTime.UtcNow;
        var nextSweep = DateTime.UtcNow;
        ReclaimSweep? sweep = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Neither read nor reclaim without a free slot: whatever we take starts at once, so a
            // crash strands at most the handler slots' worth of entries under our name.
            await slots.WaitAsync(stoppingToken);
            slots.Release();
            if (DateTime.UtcNow >= nextMaintenance)
            {
                await MaintainAsync(group, stoppingToken);
                nextMaintenance = DateTime.UtcNow + settings.MaintenanceInterval;
            }

            // As Dapr's reclaim loop: at once, then every redeliver interval; never when disabled.
            if (settings.ReclaimEnabled && DateTime.UtcNow >= nextSweep)
            {
                nextSweep = DateTime.UtcNow + settings.RedeliverIntervalSpan;
                sweep ??= new ReclaimSweep();
            }

            if (sweep is not null && !await ReclaimNextAsync(group, sweep, stoppingToken))
            {
                sweep = null;
            }

            // Reclaimed entries may have taken every free slot; then the next turn waits for one.
            var wanted = Math.Min(settings.BatchSize, slots.CurrentCount);
            if (wanted < 1)
            {
                continue;
            }

            // During a sweep the read must not block: the next batch of idle entries is waiting.
            var read = group.ReadNewAsync(wanted, sweep is null ? settings.BlockTime : null);
            outstandingRead = read;
            var entries = await read.WaitAsync(stoppingToken);
            await DispatchAsync(group, entries, stoppingToken);
        }
    }

    /// <summary>Reclaims the next batch of a sweep into the free slots; false once the sweep reached the end of the pending list.</summary>
    private async Task<bool> ReclaimNextAsync(ConsumerGroupClient group, ReclaimSweep sweep, CancellationToken stoppingToken)
    {
        var batch = await group.ReclaimAsync(settings.ProcessingTimeoutSpan, Math.Min(settings.BatchSize, slots.CurrentCount), sweep.Cursor);
        sweep.Cursor = batch.Next;
        sweep.Reclaimed += batch.Entries.Count;
        await DispatchAsync(group, batch.Entries, stoppingToken);
        if (sweep.Cursor != ConsumerGroupClient.SweepDone)
        {
            return true;
        }

        if (sweep.Reclaimed > 0)
        {
            LogReclaimed(sweep.Reclaimed, stream);
        }

        return false;
    }

    /// <summary>Refreshes the backlog metric, removes idle consumers, trims the inbox.</summary>
    private async Task MaintainAsync(ConsumerGroupClient group, CancellationToken stoppingToken)
    {
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
        if (pipeline.HandlesBatches)
        {
            await DispatchBatchAsync(group, entries, stoppingToken);
            return;
        }

        foreach (var entry in entries)
        {
            // After the stop signal nothing new starts: the rest stays pending for other consumers.
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await slots.WaitAsync(CancellationToken.None);
            Track(entry.Id, HandleAsync(group, entry), 1);
        }
    }

    /// <summary>The whole read as one task, holding a slot per entry: slots still bound the entries pending under our name.</summary>
    private async Task DispatchBatchAsync(ConsumerGroupClient group, IReadOnlyList<ConsumedEntry> entries, CancellationToken stoppingToken)
    {
        if (entries.Count == 0 || stoppingToken.IsCancellationRequested)
        {
            return;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            await slots.WaitAsync(CancellationToken.None);
        }

        Track(entries[0].Id, HandleBatchAsync(group, entries), entries.Count);
    }

    private void Track(string id, Task task, int heldSlots)
    {
        inFlight[id] = task;
        _ = task.ContinueWith(
            _ =>
            {
                inFlight.TryRemove(id, out Task? _);
                slots.Release(heldSlots);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task HandleAsync(ConsumerGroupClient group, ConsumedEntry entry)
    {
        await Task.Yield();
        try
        {
            if (!await ReadyToHandleAsync(group, entry))
            {
                return;
            }

            using var timeout = HandlerDeadline();
            var started = Stopwatch.GetTimestamp();
            var result = await pipeline.ProcessAsync((byte[])entry.Payload!, entry.Metadata, group.Group, timeout.Token);
            metrics.HandlerTook(stream, group.Group, Stopwatch.GetElapsedTime(started));
            if (await SettleAsync(group, entry, result, timeout.IsCancellationRequested))
            {
                await group.AcknowledgeAsync([entry.Id]);
                CountAcknowledged(group, result);
            }
        }
        catch (Exception e)
        {
            // Redis went away between handling and acknowledging: the entry stays pending and is
            // reclaimed later; the inbox turns that redelivery into a no-op.
            LogAckFailed(entry.Id, stream, e.Message);
        }
    }

    /// <summary>
    /// A read batch with a batch-capable handler: one PostgreSQL transaction for the batch (the
    /// pipeline falls back to one per event when it fails), then one pipelined <c>XACK</c> for
    /// every entry to acknowledge; the others are dead-lettered or left pending one by one.
    /// </summary>
    private async Task HandleBatchAsync(ConsumerGroupClient group, IReadOnlyList<ConsumedEntry> entries)
    {
        await Task.Yield();
        try
        {
            var ready = new List<ConsumedEntry>(entries.Count);
            foreach (var entry in entries)
            {
                if (await ReadyToHandleAsync(group, entry))
                {
                    ready.Add(entry);
                }
            }

            if (ready.Count == 0)
            {
                return;
            }

            using var timeout = HandlerDeadline();
            var started = Stopwatch.GetTimestamp();
            var results = await pipeline.ProcessBatchAsync([.. ready.Select(e => new Delivery((byte[])e.Payload!, e.Metadata))], group.Group, timeout.Token);
            metrics.HandlerTook(stream, group.Group, Stopwatch.GetElapsedTime(started));
            var acknowledged = new List<(ConsumedEntry Entry, DeliveryResult Result)>(ready.Count);
            for (var i = 0; i < ready.Count; i++)
            {
                if (await SettleAsync(group, ready[i], results[i], timeout.IsCancellationRequested))
                {
                    acknowledged.Add((ready[i], results[i]));
                }
            }

            if (acknowledged.Count > 0)
            {
                await group.AcknowledgeAsync([.. acknowledged.Select(a => a.Entry.Id)]);
                foreach (var (_, result) in acknowledged)
                {
                    CountAcknowledged(group, result);
                }
            }
        }
        catch (Exception e)
        {
            // As for one entry: what is not acknowledged stays pending and is reclaimed later.
            LogAckFailed($"{entries[0].Id} (batch of {entries.Count})", stream, e.Message);
        }
    }

    /// <summary>Dead-letters an entry that must not reach the handler (delivered too often, no data); true when it goes on to the handler.</summary>
    private async Task<bool> ReadyToHandleAsync(ConsumerGroupClient group, ConsumedEntry entry)
    {
        if (entry.Deliveries > settings.MaxDeliveries)
        {
            // Delivered that often without an acknowledgement: it crashes or stalls its consumer.
            var last = await group.LastErrorAsync(entry.Id);
            await DeadLetterAsync(group, entry, $"delivered {entry.Deliveries} times without being acknowledged (max {settings.MaxDeliveries}); last error: {last ?? "none recorded (consumer crashed or timed out)"}", "max-deliveries");
            return false;
        }

        if (entry.Payload.IsNull)
        {
            await DeadLetterAsync(group, entry, "entry has no 'data' field", "malformed");
            return false;
        }

        if (entry.Deliveries > 1)
        {
            metrics.Redelivered(stream, group.Group);
        }

        return true;
    }

    /// <summary>The handler's deadline: the drain, and the processing timeout when reclaim runs.</summary>
    private CancellationTokenSource HandlerDeadline()
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(drain!.Token);
        if (settings.ReclaimEnabled)
        {
            // Dapr puts the deadline on the handler only when reclaim runs (platform-semantics §7.1).
            timeout.CancelAfter(settings.ProcessingTimeoutSpan);
        }

        return timeout;
    }

    /// <summary>Applies the delivery rules to a result; true when the entry is to be acknowledged (the caller does, alone or with others).</summary>
    private async Task<bool> SettleAsync(ConsumerGroupClient group, ConsumedEntry entry, DeliveryResult result, bool cutOff)
    {
        switch (result.Outcome)
        {
            case DeliveryOutcome.Applied or DeliveryOutcome.Duplicate or DeliveryOutcome.Ignored:
                return true;
            case DeliveryOutcome.Malformed:
                await DeadLetterAsync(group, entry, result.Reason!, "malformed");
                return false;
            case DeliveryOutcome.Expired:
                await DeadLetterAsync(group, entry, result.Reason!, "expired");
                return false;
            default:
                metrics.Failed(stream, group.Group);
                if (cutOff)
                {
                    // The handler's deadline or the drain ended it: Dapr does not acknowledge
                    // then either; the entry is reclaimed (or handed off) and redelivered.
                    await group.RememberErrorAsync(entry.Id, result.Reason!);
                }
                else if (settings.OnHandlerError == HandlerErrorPolicy.Ack)
                {
                    await DeadLetterAsync(group, entry, $"handler failed (Consumer:OnHandlerError=Ack, delivery {entry.Deliveries}): {result.Reason}", "failed");
                }
                else if (entry.Deliveries >= settings.MaxDeliveries)
                {
                    await DeadLetterAsync(group, entry, $"failed {entry.Deliveries} deliveries (max {settings.MaxDeliveries}): {result.Reason}", "failed");
                }
                else
                {
                    await group.RememberErrorAsync(entry.Id, result.Reason!);
                }

                return false;
        }
    }

    private void CountAcknowledged(ConsumerGroupClient group, DeliveryResult result)
    {
        if (result.Outcome == DeliveryOutcome.Ignored)
        {
            metrics.Ignored(stream, group.Group, result.EventType!);
        }
        else
        {
            metrics.Processed(stream, group.Group, result.EventType!, result.Outcome == DeliveryOutcome.Duplicate);
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
        if (group is not null)
        {
            await TryAsync(() => group.MarkLeavingAsync(settings.IdleConsumerTimeout), "(leaving the group)");
        }

        var remaining = inFlight.Values.ToList();
        if (remaining.Count > 0)
        {
            // Each in-flight entry holds a slot, whether handled alone or in a batch.
            LogDraining(settings.Concurrency - slots.CurrentCount, stream);
            await Task.WhenAll(remaining);
        }

        if (group is null)
        {
            return;
        }

        // A read cut off by the stop signal still delivers on the server (bounded by the block
        // time): its entries are pending under our name and must be handed off with the rest.
        await TryAsync(() => outstandingRead ?? Task.CompletedTask, "(last read)");
        await TryAsync(
            async () =>
            {
                // With reclaim disabled no consumer sweeps, so entries handed to one would never be
                // delivered again: they stay under this name (no consumer counts as live within zero).
                var liveWithin = settings.ReclaimEnabled ? settings.ProcessingTimeoutSpan : TimeSpan.Zero;
                var handOff = await group.HandOffPendingAsync(liveWithin, settings.ProcessingTimeoutSpan, settings.IdleConsumerTimeout);
                if (handOff.Count > 0)
                {
                    metrics.HandedOff(stream, group.Group, handOff.Count, handOff.Kept);
                    if (!settings.ReclaimEnabled)
                    {
                        LogKeptWithoutReclaim(handOff.Count, stream, group.Group);
                    }
                    else if (handOff.Kept)
                    {
                        LogKeptPending(handOff.Count, stream, group.Group);
                    }
                    else
                    {
                        LogHandedOff(handOff.Count, stream, handOff.Target);
                    }
                }

                // Leaves the group only with nothing pending: DELCONSUMER would drop the entries.
                var removed = await group.DeleteConsumerIfIdleAsync(group.Consumer, TimeSpan.Zero);
                LogStopped(stream, removed);
            },
            "(hand-off)");
    }

    private async Task TryAsync(Func<Task> step, string what)
    {
        try
        {
            await step();
        }
        catch (Exception e)
        {
            // Redis is gone while stopping: whatever is pending under our name is reclaimed after the processing timeout.
            LogAckFailed(what, stream, e.Message);
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

    [LoggerMessage(6000, LogLevel.Information, "Reading {Stream} as {Group}/{Consumer}: {Concurrency} handler slots, processing timeout {ProcessingTimeout}, redeliver interval {RedeliverInterval} (0: no reclaim), on handler error {OnHandlerError}")]
    private partial void LogReading(string stream, string group, string consumer, int concurrency, TimeSpan processingTimeout, TimeSpan redeliverInterval, HandlerErrorPolicy onHandlerError);

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

    [LoggerMessage(6008, LogLevel.Information, "Handed off {Count} pending entries of {Stream} to {Consumer}, ready to be reclaimed")]
    private partial void LogHandedOff(int count, string stream, string consumer);

    [LoggerMessage(6009, LogLevel.Warning, "Kept {Count} pending entries of {Stream} under this consumer, ready to be reclaimed: no other live consumer in {Group}")]
    private partial void LogKeptPending(int count, string stream, string group);

    [LoggerMessage(6010, LogLevel.Warning, "Kept {Count} pending entries of {Stream} under this consumer: reclaim is disabled (Consumer:ProcessingTimeout or Consumer:RedeliverInterval 0), so they stay pending in {Group} until claimed by hand")]
    private partial void LogKeptWithoutReclaim(int count, string stream, string group);

    /// <summary>One pass of <c>XAUTOCLAIM</c> over the group's pending list, a batch per turn of the read loop.</summary>
    private sealed class ReclaimSweep
    {
        public string Cursor { get; set; } = ConsumerGroupClient.SweepDone;

        public int Reclaimed { get; set; }
    }
}

using Serverless.Orders.Events;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Consumers.Tests;

/// <summary>
/// Dapr's delivery rules, per subscription (platform-semantics §7.1–7.3): a handler error is
/// acknowledged and dead-lettered (<c>Ack</c>, the default) or left pending for redelivery
/// (<c>KeepPending</c>, covered by <see cref="DeadLetterTests"/>); a processing timeout of 0 turns reclaim off.
/// </summary>
public sealed class DeliveryRulesTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HandlerError_AckByDefault_AckedAndDeadLetteredOnceWithReason()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.CreateAuditTableRefusingPoisonAsync(Ct);
        await bed.AddAuditEventsAsync(5);
        await bed.AddAsync([ConsumerTestBed.Event("poison-1", OrderEventTypes.OrderPlaced, new { n = -1 }, subject: "poison")]);
        await bed.AddAuditEventsAsync(5, from: 5);
        await using var consumer = bed.StartConsumer(("Consumer:MaxDeliveries", "3"));

        await Eventually.TrueAsync(
            async () => await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct) == 10 && (await bed.DeadLettersAsync()).Length == 1 && await bed.PendingAsync() == 0,
            Bound,
            "ten events audited, the poison entry dead-lettered and nothing pending");

        var dead = Assert.Single(await bed.DeadLettersAsync()).Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString(), StringComparer.Ordinal);
        Assert.Equal("1", dead["deliveries"]);
        Assert.Contains("OnHandlerError=Ack", dead["error"], StringComparison.Ordinal);
        Assert.Contains("no_poison", dead["error"], StringComparison.Ordinal);
        Assert.Contains("poison-1", dead["data"], StringComparison.Ordinal);
        // Acknowledged with the dead-letter step, in one script: nothing is left to redeliver it.
        Assert.Equal(0, (await bed.Redis.StreamPendingAsync(bed.Stream, bed.Group)).PendingMessageCount);
        Assert.False(await bed.Redis.HashExistsAsync($"{bed.Stream}-errors-{bed.Group}", dead["source_id"]));
        Assert.False(consumer.HasExited);
    }

    [Fact]
    public async Task HandlerTimedOut_Ack_NotAcknowledged_RedeliveredAndAppliedOnce()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await using (var hold = await bed.LockAuditTableAsync(Ct))
        {
            await using var consumer = bed.StartConsumer(("Consumer:ProcessingTimeout", "1000"));
            await consumer.WaitForOutputAsync("Reading ", Bound);
            await bed.AddAuditEventsAsync(1);
            await consumer.WaitForOutputAsync("Handling OrderPlaced e-0 failed", Bound);
            await hold.ReleaseAsync(Ct);

            // Dapr does not acknowledge when the handler's context ended (platform-semantics §7.3): reclaimed, then applied.
            await Eventually.TrueAsync(
                async () => await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct) == 1 && await bed.PendingAsync() == 0,
                Bound,
                "the timed-out entry redelivered and applied");
        }

        Assert.Empty(await bed.DeadLettersAsync());
    }

    [Fact]
    public async Task ProcessingTimeoutZero_NoReclaim_StrandedEntriesStayPending_IntegerMillisecondsReclaim()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.CreateAuditTableAsync(Ct);
        var stranded = await StrandAsync(bed, 5);

        await using (var noReclaim = bed.StartConsumer(("Consumer:ProcessingTimeout", "0"), ("Consumer:ConsumerName", "no-reclaim")))
        {
            await noReclaim.WaitForOutputAsync("Reading ", Bound);
            // A sweep, when enabled, runs before the first read: once a later entry is handled, it would have run.
            await bed.AddAuditEventsAsync(1, from: 100);
            await Eventually.TrueAsync(async () => await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit WHERE event_id = 'e-100'", Ct) == 1, Bound, "a fresh entry handled");
            Assert.Contains("redeliver interval", noReclaim.Output, StringComparison.Ordinal);
            Assert.Equal(stranded.Order(StringComparer.Ordinal), (await bed.PendingUnderAsync("crashed-1")).Select(p => p.MessageId.ToString()).Order(StringComparer.Ordinal));
            noReclaim.Terminate();
            Assert.Equal(0, await noReclaim.WaitForExitAsync(Bound, Ct));
        }

        Assert.Equal(1L, await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct));

        // Dapr's integer form (milliseconds) turns it back on: the next consumer reclaims them.
        await using var reclaiming = bed.StartConsumer(("Consumer:ProcessingTimeout", "2000"), ("Consumer:RedeliverInterval", "250"));
        await Eventually.TrueAsync(async () => await bed.PendingAsync() == 0 && await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct) == 6, Bound, "the stranded entries reclaimed");
        Assert.Empty(await bed.DeadLettersAsync());
    }

    /// <summary>Delivers <paramref name="count"/> entries to a consumer that then died, idle for an hour already; returns their ids.</summary>
    private static async Task<IReadOnlyList<string>> StrandAsync(ConsumerTestBed bed, int count)
    {
        await bed.AddAuditEventsAsync(count);
        await bed.Redis.StreamCreateConsumerGroupAsync(bed.Stream, bed.Group, "0");
        var read = await bed.Redis.StreamReadGroupAsync(bed.Stream, bed.Group, "crashed-1", ">", count);
        List<object> claim = [bed.Stream, bed.Group, "crashed-1", 0];
        claim.AddRange(read.Select(e => (object)e.Id.ToString()));
        claim.AddRange(["IDLE", (long)TimeSpan.FromHours(1).TotalMilliseconds, "JUSTID"]);
        await bed.Redis.ExecuteAsync("XCLAIM", claim);
        return read.Select(e => e.Id.ToString()).ToList();
    }
}

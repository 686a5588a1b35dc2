using System.Diagnostics;
using System.Globalization;
using Serverless.Testing;
using Serverless.Testing.Fixtures;

namespace Serverless.Consumers.Tests;

/// <summary>
/// Reclaim of entries a dead consumer left pending: it must never make a consumer read without a
/// limit, and it must run at the rate the survivors can handle entries, not at one small batch per
/// maintenance cycle.
/// </summary>
public sealed class ReclaimTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReclaimTakesEveryFreeSlot_NextReadWaitsForASlot_NeverHoldsMoreThanItCanHandle()
    {
        const int stranded = 300;
        const int backlog = 3_000;
        const int concurrency = 4;
        const int batchSize = 8;
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.CreateAuditTableAsync(Ct);
        await StrandAsync(bed, stranded);
        await bed.AddAuditEventsAsync(backlog, from: stranded);

        await using var consumer = bed.StartConsumer(
            ("Consumer:ConsumerName", "reader-1"),
            ("Consumer:Concurrency", concurrency.ToString(CultureInfo.InvariantCulture)),
            ("Consumer:BatchSize", batchSize.ToString(CultureInfo.InvariantCulture)),
            ("Consumer:ProcessingTimeout", "00:01:00"));
        long mostHeld = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                var reader = (await bed.ConsumersAsync()).FirstOrDefault(c => c.Name == "reader-1");
                mostHeld = Math.Max(mostHeld, reader.PendingMessageCount);
                return await CountAsync(bed) >= stranded + backlog && await bed.PendingAsync() == 0;
            },
            Bound,
            "the stranded entries and the backlog handled");

        TestContext.Current.SendDiagnosticMessage($"most entries pending under the consumer at once: {mostHeld}");
        Assert.InRange(mostHeld, 1, batchSize + concurrency);
        Assert.Equal(stranded + backlog, await bed.ScalarAsync<long>("SELECT count(DISTINCT event_id) FROM event_audit", Ct));
    }

    [Fact]
    public async Task KilledHoldingThousands_SurvivorsFinishAtTheirDrainRate_NotOneBatchPerMaintenanceCycle()
    {
        const int entries = 5_000;
        var processingTimeout = TimeSpan.FromSeconds(2);
        var maintenanceInterval = TimeSpan.FromSeconds(5);
        (string, string)[] survivorSettings =
        [
            ("Consumer:ProcessingTimeout", "00:00:02"),
            ("Consumer:MaintenanceInterval", "00:00:05"),
            ("Consumer:BlockTime", "00:00:02"),
        ];
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.CreateAuditTableAsync(Ct);

        // The survivors' drain rate, measured on a plain backlog of the same size.
        var drain = await TimeAsync(bed, survivorSettings, () => bed.AddAuditEventsAsync(entries), entries);

        // A consumer reads them all (its handlers stuck on the locked table), then is killed.
        await bed.AddAuditEventsAsync(entries, from: entries);
        await using (var hold = await bed.LockAuditTableAsync(Ct))
        {
            await using var doomed = bed.StartConsumer(
                ("Consumer:BatchSize", "6000"), ("Consumer:Concurrency", "6000"), ("Consumer:ProcessingTimeout", "00:01:00"));
            await Eventually.TrueAsync(async () => await bed.PendingAsync() >= entries, Bound, $"{entries} entries pending under the doomed consumer");
            doomed.Kill();
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct);
            await hold.ReleaseAsync(Ct);
        }

        var recoveryBound = processingTimeout + (2 * maintenanceInterval) + TimeSpan.FromSeconds(30) + (4 * drain);
        var recovery = await TimeAsync(bed, survivorSettings, () => Task.CompletedTask, 2 * entries, recoveryBound);
        TestContext.Current.SendDiagnosticMessage(
            $"survivors drained {entries} new entries in {drain.TotalSeconds:F1} s; recovered {entries} entries of a killed consumer in {recovery.TotalSeconds:F1} s (bound {recoveryBound.TotalSeconds:F0} s)");
        Assert.Equal(2L * entries, await bed.ScalarAsync<long>("SELECT count(DISTINCT event_id) FROM event_audit", Ct));
        Assert.Empty(await bed.DeadLettersAsync());
    }

    /// <summary>
    /// Delivers <paramref name="count"/> entries to a consumer that then died (no process: it is
    /// gone), with their idle time already past any processing timeout.
    /// </summary>
    private static async Task StrandAsync(ConsumerTestBed bed, int count)
    {
        await bed.AddAuditEventsAsync(count);
        await bed.Redis.StreamCreateConsumerGroupAsync(bed.Stream, bed.Group, "0");
        var read = await bed.Redis.StreamReadGroupAsync(bed.Stream, bed.Group, "crashed-1", ">", count);
        List<object> claim = [bed.Stream, bed.Group, "crashed-1", 0];
        claim.AddRange(read.Select(e => (object)e.Id.ToString()));
        claim.AddRange(["IDLE", (long)TimeSpan.FromHours(1).TotalMilliseconds, "JUSTID"]);
        await bed.Redis.ExecuteAsync("XCLAIM", claim);
    }

    /// <summary>Starts two survivors, runs <paramref name="publish"/> once they read, and times them from then until <paramref name="total"/> events are applied and nothing is pending.</summary>
    private static async Task<TimeSpan> TimeAsync(
        ConsumerTestBed bed, (string, string)[] settings, Func<Task> publish, long total, TimeSpan? bound = null)
    {
        await using var first = bed.StartConsumer(settings);
        await using var second = bed.StartConsumer(settings);
        await first.WaitForOutputAsync("Reading ", Bound);
        await second.WaitForOutputAsync("Reading ", Bound);
        var clock = Stopwatch.StartNew();
        await publish();
        await Eventually.TrueAsync(async () => await CountAsync(bed) >= total && await bed.PendingAsync() == 0, bound ?? Bound, $"{total} events applied, nothing pending");
        return clock.Elapsed;
    }

    private static Task<long> CountAsync(ConsumerTestBed bed) => bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct);
}

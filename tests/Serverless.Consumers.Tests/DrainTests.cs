using System.Diagnostics;
using Serverless.Platform.Hosting;
using Serverless.Testing;
using Serverless.Testing.Fixtures;

namespace Serverless.Consumers.Tests;

/// <summary>SIGTERM: stop reading, finish and acknowledge what is in flight, leave the rest, exit inside the budget.</summary>
public sealed class DrainTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_InFlightEntriesFinishAndAreAcknowledged_ExitsInsideBudget()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.AddAuditEventsAsync(50);
        await using var hold = await bed.LockAuditTableAsync(Ct);

        await using var consumer = bed.StartConsumer(("Consumer:Concurrency", "4"), ("Consumer:ProcessingTimeout", "00:00:30"));
        await Eventually.TrueAsync(async () => await bed.PendingAsync() == 4, TimeSpan.FromSeconds(30), "four entries in flight");

        var clock = Stopwatch.StartNew();
        consumer.Terminate();
        await consumer.WaitForOutputAsync("draining 4 in-flight entries", TimeSpan.FromSeconds(10));
        await hold.ReleaseAsync(Ct);
        var exitCode = await consumer.WaitForExitAsync(TimeSpan.FromSeconds(20), Ct);
        clock.Stop();

        var budget = new ShutdownBudgetOptions { Budget = TimeSpan.FromSeconds(10) }.Budget;
        Assert.Equal(0, exitCode);
        Assert.True(clock.Elapsed < budget, $"exited after {clock.Elapsed}, budget {budget}");
        // The four in flight finished and were acknowledged; nothing else was started; the consumer left the group.
        Assert.Equal(4L, await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct));
        Assert.Equal(0, await bed.PendingAsync());
        Assert.Empty(await bed.Redis.StreamConsumerInfoAsync(bed.Stream, bed.Group));
        Assert.Equal(46, (await bed.Redis.StreamGroupInfoAsync(bed.Stream)).Single().Lag);
    }
}

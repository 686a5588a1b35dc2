using Serverless.Testing;
using Serverless.Testing.Fixtures;

namespace Serverless.Consumers.Tests;

/// <summary>
/// Scale-in: consumers get SIGTERM while their handlers are stuck (the audit table is locked), so
/// the drain deadline cuts them off with entries still pending under their names. What they leave
/// must be ready for a live consumer at once, never orphaned under a name that no longer runs. The
/// processing timeout is minutes long, so the ordinary reclaim of stale entries cannot be what
/// clears them.
/// </summary>
public sealed class ScaleInTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private const int Concurrency = 8;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const int Events = 5_000;

    private static (string Key, string Value)[] Settings(string name) =>
    [
        ("Consumer:ConsumerName", name),
        ("Consumer:Concurrency", Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("Consumer:BatchSize", "16"),
        ("Consumer:ProcessingTimeout", "00:03:00"),
        ("Postgres:CommandTimeout", "00:05:00"),
        ("Shutdown:Budget", "00:00:10"),
        ("Shutdown:CleanupReserve", "00:00:05"),
    ];

    [Fact]
    public async Task SigtermWhileHoldingPendingEntries_HandsThemToSurvivors_NoOrphansEveryEventOnce()
    {
        string[] survivors = ["survivor-1", "survivor-2"];
        string[] leavers = ["leaver-1", "leaver-2"];
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.CreateAuditTableAsync(Ct);
        await bed.AddAuditEventsAsync(Events);
        var processes = survivors.Concat(leavers).ToDictionary(name => name, name => bed.StartConsumer(Settings(name)));
        try
        {
            foreach (var process in processes.Values)
            {
                await process.WaitForOutputAsync("Reading ", Bound);
            }

            await CrashPolling.UntilAsync(() => AuditedAsync(bed), Events / 20, processes["leaver-1"], Bound);
            // A consumer joins the group with its first read, after its first maintenance (schema
            // migration included), which must not meet the table lock.
            await Eventually.TrueAsync(
                async () => (await bed.ConsumersAsync()).Select(c => c.Name.ToString()).Intersect(processes.Keys).Count() == processes.Count,
                Bound,
                "every consumer reading");
            await using var hold = await bed.LockAuditTableAsync(Ct);
            var seen = "nothing yet";
            try
            {
                await Eventually.TrueAsync(
                    async () =>
                    {
                        var consumers = await bed.ConsumersAsync();
                        seen = string.Join(", ", consumers.Select(c => $"{c.Name}={c.PendingMessageCount}"));
                        return consumers.Count(c => c.PendingMessageCount >= Concurrency) == processes.Count;
                    },
                    Bound,
                    "every consumer with all its handler slots stuck");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}; last seen {seen}", e);
            }

            foreach (var leaver in leavers)
            {
                processes[leaver].Terminate();
            }

            foreach (var leaver in leavers)
            {
                Assert.Equal(0, await processes[leaver].WaitForExitAsync(TimeSpan.FromSeconds(30), Ct));
                Assert.True(processes[leaver].Output.Contains("Handed off", StringComparison.Ordinal), processes[leaver].Output);
            }

            var consumers = await bed.ConsumersAsync();
            var pending = await bed.PendingAsync();
            TestContext.Current.SendDiagnosticMessage(
                $"after scale-in: {string.Join(", ", consumers.Select(c => $"{c.Name}={c.PendingMessageCount}"))}; group pending {pending}");
            Assert.DoesNotContain(consumers, c => leavers.Contains(c.Name.ToString()));
            Assert.Equal(pending, consumers.Where(c => survivors.Contains(c.Name.ToString())).Sum(c => c.PendingMessageCount));
            Assert.True(pending >= processes.Count * Concurrency, $"the leavers' {leavers.Length * Concurrency} stuck entries must be pending under survivors; group pending {pending}");

            await hold.ReleaseAsync(Ct);
            await Eventually.TrueAsync(async () => await AuditedAsync(bed) >= Events && await bed.PendingAsync() == 0, Bound, "the survivors to finish everything");
        }
        finally
        {
            foreach (var process in processes.Values)
            {
                await process.DisposeAsync();
            }
        }

        Assert.Equal(Events, await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct));
        Assert.Equal(Events, await bed.ScalarAsync<long>("SELECT count(DISTINCT event_id) FROM event_audit", Ct));
        Assert.Empty(await bed.DeadLettersAsync());
    }

    [Fact]
    public async Task SigtermAsLastConsumer_KeepsPendingEntriesReadyForTheNext()
    {
        const int events = 100;
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.AddAuditEventsAsync(events);
        await using var hold = await bed.LockAuditTableAsync(Ct);
        await using (var last = bed.StartConsumer(Settings("last-1")))
        {
            await Eventually.TrueAsync(async () => await bed.PendingAsync() == Concurrency, Bound, "all handler slots stuck");
            last.Terminate();
            Assert.Equal(0, await last.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct));
            Assert.True(last.Output.Contains($"Kept {Concurrency} pending entries", StringComparison.Ordinal), last.Output);
        }

        // Still in the group (deleting it would drop the entries), each entry idle past the processing timeout.
        var kept = await bed.PendingUnderAsync("last-1");
        Assert.Equal(Concurrency, kept.Length);
        Assert.All(kept, entry => Assert.True(entry.IdleTimeInMilliseconds >= TimeSpan.FromMinutes(3).TotalMilliseconds, $"entry {entry.MessageId} idle {entry.IdleTimeInMilliseconds} ms"));

        await hold.ReleaseAsync(Ct);
        await using var next = bed.StartConsumer(Settings("next-1"));
        await Eventually.TrueAsync(async () => await AuditedAsync(bed) >= events && await bed.PendingAsync() == 0, Bound, "the next consumer to take the kept entries at once");
        Assert.Equal(events, await bed.ScalarAsync<long>("SELECT count(DISTINCT event_id) FROM event_audit", Ct));
        Assert.Empty(await bed.PendingUnderAsync("last-1"));
    }

    private static Task<long> AuditedAsync(ConsumerTestBed bed) =>
        bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct);
}

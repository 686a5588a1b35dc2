using Serverless.Local.Processes;
using Serverless.Testing;
namespace Serverless.Consumers.Tests;

/// <summary>
/// The consumer process is killed (SIGKILL: no drain, no acknowledgement, transactions cut off)
/// again and again while it works through a backlog. Reclaim plus the idempotency inbox must still
/// apply every event exactly once.
/// </summary>
public sealed class CrashSafetyTests
{
    private const int Events = 10_000;
    private const int Kills = 6;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KilledRepeatedlyWhileDraining_AppliesEveryEventExactlyOnce()
    {
        await using var bed = await ConsumerTestBed.CreateAsync("audit");
        await bed.AddAuditEventsAsync(Events);
        var settings = new[] { ("Consumer:Concurrency", "32"), ("Consumer:BatchSize", "128"), ("Consumer:ProcessingTimeout", "00:00:01") };

        var kills = 0;
        while (kills < Kills)
        {
            await using var consumer = bed.StartConsumer(settings);
            var target = (kills + 1) * Events / (Kills + 2);
            await CrashPolling.UntilAsync(() => AuditedAsync(bed), target, consumer, Bound);
            consumer.Kill();
            await consumer.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct);
            kills++;
        }

        var pendingAfterKills = await bed.PendingAsync();
        await using (var survivor = bed.StartConsumer(settings))
        {
            await Eventually.TrueAsync(async () => await AuditedAsync(bed) >= Events && await bed.PendingAsync() == 0, Bound, "the survivor to drain everything");
        }

        var applied = await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct);
        var distinct = await bed.ScalarAsync<long>("SELECT count(DISTINCT event_id) FROM event_audit", Ct);
        var lost = Events - distinct;
        TestContext.Current.SendDiagnosticMessage(
            $"{kills} kills; {pendingAfterKills} entries pending on dead consumers after the last kill; applied {applied}, distinct {distinct}, lost {lost}");
        Assert.Equal(Kills, kills);
        Assert.True(pendingAfterKills > 0, "the kills must have left entries pending on dead consumers, or they proved nothing");
        Assert.Equal(0, lost);
        Assert.Equal(Events, applied);
        Assert.Empty(await bed.DeadLettersAsync());
        Assert.Equal(0, await bed.PendingAsync());
    }

    private static Task<long> AuditedAsync(ConsumerTestBed bed) =>
        bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct);
}

internal static class CrashPolling
{
    /// <summary>Waits until <paramref name="count"/> reaches <paramref name="target"/>, failing early if the consumer died on its own.</summary>
    public static async Task UntilAsync(Func<Task<long>> count, long target, ManagedProcess consumer, TimeSpan bound) =>
        await Eventually.TrueAsync(
            async () =>
            {
                if (consumer.HasExited)
                {
                    throw new InvalidOperationException($"The consumer exited by itself ({consumer.ExitCode}):\n{consumer.Output}");
                }

                try
                {
                    return await count() >= target;
                }
                catch (Npgsql.PostgresException e) when (e.SqlState == "42P01")
                {
                    // The consumer has not created its table yet.
                    return false;
                }
            },
            bound,
            $"{target} events applied");
}

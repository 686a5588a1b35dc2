using Serverless.Local.Processes;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
namespace Serverless.Consumers.Tests;

/// <summary>
/// The consumer process is killed (SIGKILL: no drain, no acknowledgement, transactions cut off)
/// again and again while it works through a backlog. Reclaim plus the idempotency inbox must still
/// apply every event exactly once.
/// </summary>
public sealed class CrashSafetyTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private const int Events = 10_000;
    private const int Kills = 6;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KilledRepeatedlyWhileDraining_AppliesEveryEventExactlyOnce()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.AddAuditEventsAsync(Events);
        var settings = new[] { ("Consumer:Concurrency", "32"), ("Consumer:BatchSize", "128"), ("Consumer:ProcessingTimeout", "00:00:01") };

        var kills = 0;
        // Summed over the kills: a batched consumer may drain the rest of the backlog between the
        // poll that sees its target and the kill, so the last kill alone may leave nothing pending.
        var pendingAfterKills = 0L;
        while (kills < Kills)
        {
            await using var consumer = bed.StartConsumer(settings);
            var target = (kills + 1) * Events / (Kills + 2);
            await CrashPolling.UntilAsync(() => AuditedAsync(bed), target, consumer, Bound);
            consumer.Kill();
            await consumer.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct);
            pendingAfterKills += await bed.PendingAsync();
            kills++;
        }

        await using (var survivor = bed.StartConsumer(settings))
        {
            await Eventually.TrueAsync(async () => await AuditedAsync(bed) >= Events && await bed.PendingAsync() == 0, Bound, "the survivor to drain everything");
        }

        var applied = await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct);
        var distinct = await bed.ScalarAsync<long>("SELECT count(DISTINCT event_id) FROM event_audit", Ct);
        var lost = Events - distinct;
        TestContext.Current.SendDiagnosticMessage(
            $"{kills} kills; {pendingAfterKills} entries pending on dead consumers summed over the kills; applied {applied}, distinct {distinct}, lost {lost}");
        Assert.Equal(Kills, kills);
        Assert.True(pendingAfterKills > 0, "the kills must have left entries pending on dead consumers, or they proved nothing");
        Assert.Equal(0, lost);
        Assert.Equal(Events, applied);
        Assert.Empty(await bed.DeadLettersAsync());
        Assert.Equal(0, await bed.PendingAsync());
    }

    [Fact]
    public async Task KilledWithBatchTransactionOpen_SurvivorAppliesEveryEventExactlyOnce()
    {
        const int events = 500;
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.AddAuditEventsAsync(events);
        await using var auditLock = await bed.LockAuditTableAsync(Ct);

        // A long processing timeout: the batches stay blocked in their open transactions until the kill.
        await using (var killed = bed.StartConsumer(("Consumer:Concurrency", "64"), ("Consumer:BatchSize", "32"), ("Consumer:ProcessingTimeout", "00:01:00")))
        {
            await Eventually.TrueAsync(async () => await OpenBatchTransactionsAsync(bed) >= 1, Bound, "a batch transaction blocked after recording its inbox rows");
            var pendingAtKill = await bed.PendingAsync();
            killed.Kill();
            await killed.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.True(pendingAtKill > 1, $"the kill must cut off a batch of several entries, not one ({pendingAtKill} pending)");
        }

        // The blocked statements now run on for a client that is gone: PostgreSQL rolls them back.
        await auditLock.ReleaseAsync(Ct);
        await using (var survivor = bed.StartConsumer(("Consumer:ProcessingTimeout", "00:00:01")))
        {
            await Eventually.TrueAsync(async () => await AuditedAsync(bed) >= events && await bed.PendingAsync() == 0, Bound, "the survivor to drain everything");
        }

        Assert.Equal(events, await AuditedAsync(bed));
        Assert.Equal(events, await bed.ScalarAsync<long>("SELECT count(DISTINCT event_id) FROM event_audit", Ct));
        Assert.Equal(events, await bed.ScalarAsync<long>("SELECT count(*) FROM consumer_inbox", Ct));
        Assert.Empty(await bed.DeadLettersAsync());
    }

    /// <summary>
    /// Transactions of this bed's consumer waiting on the locked audit table in the middle of a
    /// batch: the batch's audit insert is waiting while the same transaction holds its inbox insert.
    /// </summary>
    private static Task<long> OpenBatchTransactionsAsync(ConsumerTestBed bed) =>
        bed.ScalarAsync<long>(
            $"""
            SELECT count(*) FROM pg_locks waiting
            JOIN pg_stat_activity activity ON activity.pid = waiting.pid
            WHERE waiting.relation = to_regclass('{bed.Schema}.event_audit') AND NOT waiting.granted
              AND activity.query LIKE '%unnest%'
              AND EXISTS (SELECT 1 FROM pg_locks inbox
                          WHERE inbox.pid = waiting.pid AND inbox.relation = to_regclass('{bed.Schema}.consumer_inbox') AND inbox.mode = 'RowExclusiveLock')
            """,
            Ct);

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

using Serverless.Testing;
using Serverless.Testing.Fixtures;

namespace Serverless.Consumers.Tests;

/// <summary>Redis goes away in the middle of consumption and comes back: the consumer recovers by itself.</summary>
public sealed class RedisRestartTests(SharedPostgres sharedPostgres)
{
    private const int Events = 3_000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RedisRestartedDuringConsumption_RecoversAndLosesNothingAcknowledged()
    {
        // A Redis of our own, with an fsynced append-only file: what it acknowledged survives the restart.
        await using var redis = await RedisServer.StartAsync(persistent: true, Ct);
        await using var bed = await ConsumerTestBed.CreateAsync(redis, sharedPostgres, "audit");
        await bed.AddAuditEventsAsync(Events);
        await using var consumer = bed.StartConsumer(("Consumer:ProcessingTimeout", "00:00:01"));
        await Eventually.TrueAsync(async () => await AuditedAsync(bed) >= Events / 3, Bound, "a third of the events");

        await redis.StopAsync(Ct);
        var appliedWhileDown = await AuditedAsync(bed);
        await consumer.WaitForOutputAsync("Redis trouble", TimeSpan.FromSeconds(30));
        await redis.RestartAsync(Ct);

        await Eventually.TrueAsync(async () => await AuditedAsync(bed) >= Events && await bed.PendingAsync() == 0, Bound, "every event after the restart");
        Assert.True(appliedWhileDown < Events, "Redis must have stopped mid-way, or the test proved nothing");
        Assert.Equal(Events, await bed.ScalarAsync<long>("SELECT count(DISTINCT event_id) FROM event_audit", Ct));
        Assert.Equal(Events, await AuditedAsync(bed));
        Assert.Empty(await bed.DeadLettersAsync());
        Assert.False(consumer.HasExited);
    }

    private static async Task<long> AuditedAsync(ConsumerTestBed bed)
    {
        try
        {
            return await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "42P01")
        {
            return 0;
        }
    }
}

using Serverless.Platform.Redis;
using Serverless.Testing;
using StackExchange.Redis;

namespace Serverless.Workers.Tests.Live;

/// <summary>The in-flight lease of a real worker process running a real activity on a live Temporal dev server.</summary>
[RequiresEngine(RequiresEngineAttribute.Temporal)]
[Collection(LiveTemporalGroup.Name)]
public sealed class InFlightLeaseLiveTests(TemporalDevServerFixture temporal)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lease_ChargeActivityRunning_CountsOneActivitySlotThenNone()
    {
        // A Redis of the test's own: a payments worker killed by another live test leaves a lease
        // for its TTL, which would be summed with this one on a shared Redis.
        RedisServer? redis = null;
        await using var system = await LiveOrderSystem.StartAsync(
            temporal,
            new Dictionary<string, string?>
            {
                // The charge blocks long enough to read the lease while it runs (below the attempt timeout).
                ["Simulators:PaymentGateway:MinLatency"] = "00:00:08",
                ["Simulators:PaymentGateway:MaxLatency"] = "00:00:08",
            },
            async () => (redis = await RedisServer.StartAsync(cancellationToken: Ct)).Address);
        await using var ownRedis = redis!;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(ownRedis.Address);
        var leases = new InFlightLeases(connection.GetDatabase());
        await system.StartWorkerAsync("orders,inventory");
        await system.StartWorkerAsync("payments");

        var start = await system.StartOrderAsync(LiveOrderSystem.Order($"lease-{Guid.NewGuid():N}"));
        await Eventually.TrueAsync(
            async () => (await leases.ReadAsync("dev-payments")).ActivityUsed == 1,
            Bound,
            "the payments worker's lease shows the charge in flight");

        Assert.Equal(new TaskQueueSlots(1, 0, 0, 1, 20), await leases.ReadAsync("dev-payments"));
        await start.Handle.GetResultAsync().WaitAsync(Bound, Ct);
        await Eventually.TrueAsync(
            async () => (await leases.ReadAsync("dev-payments")).ActivityUsed == 0,
            Bound,
            "the lease shows the slot free once the charge returned");
    }
}

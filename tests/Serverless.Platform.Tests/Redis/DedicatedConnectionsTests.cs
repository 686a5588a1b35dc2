using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Redis;
using Serverless.Testing;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Redis;

/// <summary>
/// A blocking reader's dedicated connection can be connected ahead, while the host starts: the reader
/// then gets that one instead of a second round of handshakes, and one never taken is closed with the
/// rest. Counted on a Redis of its own, so no other test's clients are in the count.
/// </summary>
public sealed class DedicatedConnectionsTests
{
    private static readonly TimeSpan BlockTime = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DedicatedDatabase_ConnectedAhead_TakesThatConnectionInsteadOfOpeningAnother()
    {
        await using var rig = await AheadRig.StartAsync();
        var (check, baseline, perMultiplexer, connections) = (rig.Check, rig.Baseline, rig.PerMultiplexer, rig.Connections);
        var database = await connections.DedicatedDatabaseAsync(BlockTime);
        await database.PingAsync();

        Assert.Equal(baseline + perMultiplexer, await SettledClientsAsync(check, atLeast: baseline + perMultiplexer));

        // The next reader (nothing made ahead for it) connects on its own.
        await connections.DedicatedDatabaseAsync(BlockTime);
        Assert.Equal(baseline + (2 * perMultiplexer), await SettledClientsAsync(check, atLeast: baseline + (2 * perMultiplexer)));
    }

    [Fact]
    public async Task DedicatedDatabase_OtherBlockTime_DoesNotTakeTheConnectionMadeAheadAndDisposeClosesIt()
    {
        await using var rig = await AheadRig.StartAsync();
        var (check, baseline, perMultiplexer, connections) = (rig.Check, rig.Baseline, rig.PerMultiplexer, rig.Connections);
        await connections.DedicatedDatabaseAsync(BlockTime * 2);
        Assert.Equal(baseline + (2 * perMultiplexer), await SettledClientsAsync(check, atLeast: baseline + (2 * perMultiplexer)));

        await rig.Provider.DisposeAsync();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await ClientsAsync(check) > baseline && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(baseline, await ClientsAsync(check));
    }

    [Fact]
    public async Task DedicatedDatabase_MadeAheadWhileRedisWasDown_IsConnectedOnceRedisIsBack()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Ct);
        await server.StopAsync(Ct);
        await using var provider = Build(server.Address);
        var connections = provider.GetRequiredService<RedisConnections>();

        // Made ahead while Redis is down: the multiplexer keeps retrying on its own, so the reader
        // that takes it is connected once Redis is back, without a second connect of its own.
        connections.ConnectDedicatedAhead(BlockTime);
        await server.RestartAsync(Ct);
        var database = await connections.DedicatedDatabaseAsync(BlockTime);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!database.Multiplexer.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(database.Multiplexer.IsConnected);
        await database.StringSetAsync("ahead", "answered");
        Assert.Equal("answered", (string?)await database.StringGetAsync("ahead"));
    }

    /// <summary>A Redis of its own, a checking connection, and one dedicated connection made ahead (its client count measured).</summary>
    private sealed record AheadRig(RedisServer Server, IConnectionMultiplexer Check, int Baseline, int PerMultiplexer, ServiceProvider Provider) : IAsyncDisposable
    {
        public RedisConnections Connections => Provider.GetRequiredService<RedisConnections>();

        public static async Task<AheadRig> StartAsync()
        {
            var server = await RedisServer.StartAsync(cancellationToken: Ct);
            var check = await ConnectionMultiplexer.ConnectAsync(server.Address + ",allowAdmin=true");
            var baseline = await ClientsAsync(check);
            var provider = Build(server.Address);
            provider.GetRequiredService<RedisConnections>().ConnectDedicatedAhead(BlockTime);
            var perMultiplexer = await SettledClientsAsync(check, atLeast: baseline + 1) - baseline;
            return new AheadRig(server, check, baseline, perMultiplexer, provider);
        }

        public async ValueTask DisposeAsync()
        {
            await Provider.DisposeAsync();
            await Check.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    private static ServiceProvider Build(string address) =>
        PlatformServices.Build(
            new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = address,
                ["Redis:ConnectTimeout"] = "00:00:01",
            },
            (s, c) => s.AddServerlessRedis(c));

    private static async Task<int> ClientsAsync(IConnectionMultiplexer check)
    {
        var info = (string?)await check.GetDatabase().ExecuteAsync("INFO", "clients") ?? string.Empty;
        var line = info.Split('\n').Single(l => l.StartsWith("connected_clients:", StringComparison.Ordinal));
        return int.Parse(line["connected_clients:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The client count once it has reached <paramref name="atLeast"/> and stopped moving (a multiplexer opens its connections one after the other).</summary>
    private static async Task<int> SettledClientsAsync(IConnectionMultiplexer check, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var count = await ClientsAsync(check);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
            var next = await ClientsAsync(check);
            if (next >= atLeast && next == count)
            {
                return next;
            }

            count = next;
        }

        return count;
    }
}

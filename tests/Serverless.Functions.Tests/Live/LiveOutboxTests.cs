using System.Net;
using System.Net.Sockets;
using Serverless.Local.Processes;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Testing;
using Serverless.Testing.Processes;
using Temporalio.Client;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Live;

/// <summary>
/// Durable accept against a live Temporal dev server (runs where a Temporal CLI exists, skipped
/// otherwise): orders placed while no server listens are queued in PostgreSQL; once the server is up
/// the relay in the real worker executable (orders pool) starts them and every order confirms.
/// </summary>
[RequiresEngine(RequiresEngineAttribute.Temporal)]
public sealed class LiveOutboxTests
{
    private const int Orders = 5;
    private static readonly TimeSpan OrderBound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task PlaceOrder_TemporalDownThenUp_EveryQueuedOrderConfirms()
    {
        var cli = Engines.RequireTemporalCli();
        var redis = Engines.RequireRedis();
        var postgres = Engines.RequirePostgres();
        var schema = $"live_{Guid.NewGuid():N}"[..18];
        var address = $"127.0.0.1:{FreePort()}";
        var database = new Dictionary<string, string?> { ["Postgres:ConnectionString"] = postgres, ["Postgres:Schema"] = schema };
        await using var functions = await FunctionsHost.StartAsync(settings: new Dictionary<string, string?>(database)
        {
            ["Temporal:Address"] = address,
            ["Temporal:Namespace"] = "dev",
            ["Functions:TemporalCallTimeout"] = "00:00:02",
            ["Redis:Configuration"] = redis,
        });

        var keys = Enumerable.Range(0, Orders).Select(_ => NewKey()).ToList();
        foreach (var key in keys)
        {
            using var placed = await functions.Client.SendAsync(PlaceOrder(key), Ct);
            Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
            Assert.Equal("Queued", (await JsonAsync(placed)).GetProperty("status").GetString());
        }

        await using var server = ManagedProcess.Start(
            "temporal dev server", cli, ["server", "start-dev", "--ip", "127.0.0.1", "--port", address.Split(':')[1], "--namespace", "dev", "--headless", "--log-level", "warn"], new Dictionary<string, string?>());
        var client = await ConnectAsync(address);
        await using var simulators = await SimulatorHost.StartAsync(cancellationToken: Ct);
        await using var worker = await WorkerProcess.StartAsync(address, "dev", simulators, redis, "orders,payments,inventory", new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = postgres,
            ["Postgres__Schema"] = schema,
            ["Outbox__Relay__Enabled"] = "true",
        });

        var outcomes = await Task.WhenAll(keys.Select(key =>
            client.GetWorkflowHandle<OrderWorkflow, OrderOutcome>(OrderStarter.OrderIdFor(key)).GetResultAsync().WaitAsync(OrderBound, Ct)));
        using var read = await functions.Client.GetAsync($"api/orders/{OrderStarter.OrderIdFor(keys[0])}", Ct);

        Assert.All(outcomes, outcome => Assert.Equal(OrderStatus.Confirmed, outcome.Status));
        Assert.Equal(Orders, simulators.Gateway.Charges.Count);
        Assert.NotEqual("Outbox", (await JsonAsync(read)).GetProperty("source").GetString());
    }

    private static async Task<ITemporalClient> ConnectAsync(string address)
    {
        ITemporalClient? client = null;
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(address) { Namespace = "dev" });
                    return true;
                }
                catch (Exception e) when (e is InvalidOperationException or Temporalio.Exceptions.RpcException)
                {
                    // Not listening yet.
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            $"the Temporal dev server listens on {address}");
        return client!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Net;
using Serverless.Functions.Orders;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Platform.Correlation;
using Serverless.Local.Processes;
using Serverless.Testing;
using Serverless.Testing.Processes;
using Temporalio.Converters;
using Temporalio.Testing;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Live;

/// <summary>
/// The functions against a live Temporal dev server and the real order workflow: they run where a
/// Temporal CLI exists (TEMPORAL_CLI_PATH or `temporal` on PATH) and are skipped otherwise.
/// </summary>
[RequiresEngine(RequiresEngineAttribute.Temporal)]
public sealed class LiveTemporalTests
{
    private static readonly TimeSpan OrderBound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task PlaceOrder_LiveTemporal_WorkflowConfirmsAndGetShowsIt()
    {
        await using var system = await LiveSystem.StartAsync();
        var key = NewKey();
        using var request = PlaceOrder(key);
        request.Headers.Add(CorrelationId.HttpHeader, "live-order-1");

        using var placed = await system.Functions.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        var orderId = OrderStarter.OrderIdFor(key);
        var handle = system.Temporal.Client.GetWorkflowHandle<OrderWorkflow, OrderOutcome>(orderId);
        var outcome = await handle.GetResultAsync().WaitAsync(OrderBound, Ct);
        using var read = await system.Functions.Client.GetAsync(placed.Headers.Location!.OriginalString.TrimStart('/'), Ct);
        using var replay = await system.Functions.Client.SendAsync(PlaceOrder(key), Ct);

        Assert.Equal(OrderStatus.Confirmed, outcome.Status);
        var view = await JsonAsync(read);
        Assert.Equal(("Confirmed", "Workflow"), (view.GetProperty("status").GetString(), view.GetProperty("source").GetString()));
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal("true", Header(replay, IdempotencyKeyHeader.ReplayedHeader));
        Assert.Single(system.Simulators.Gateway.Charges);
        var started = (await handle.FetchHistoryAsync()).Events.First().WorkflowExecutionStartedEventAttributes;
        Assert.Equal("live-order-1", DataConverter.Default.PayloadConverter.ToValue<string>(started.Header.Fields[CorrelationId.TemporalHeader]));
    }

    [Fact]
    public async Task CancelOrder_LiveTemporalWhileCharging_WorkflowEndsCancelled()
    {
        await using var system = await LiveSystem.StartAsync(new Dictionary<string, string?>
        {
            ["Simulators:PaymentGateway:MinLatency"] = "00:00:03",
            ["Simulators:PaymentGateway:MaxLatency"] = "00:00:03",
        });
        using var placed = await system.Functions.Client.SendAsync(PlaceOrder(NewKey()), Ct);
        var orderId = (await JsonAsync(placed)).GetProperty("orderId").GetString()!;

        using var cancelled = await system.Functions.Client.SendAsync(Cancel(orderId, """{"reason":"live cancel"}"""), Ct);
        var outcome = await system.Temporal.Client.GetWorkflowHandle<OrderWorkflow, OrderOutcome>(orderId).GetResultAsync().WaitAsync(OrderBound, Ct);
        using var again = await system.Functions.Client.SendAsync(Cancel(orderId), Ct);

        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        Assert.Equal((OrderStatus.Cancelled, "live cancel"), (outcome.Status, outcome.Reason));
        await ProblemAsync(again, HttpStatusCode.Conflict);
    }

    /// <summary>Dev server, simulators, in-process workers and the self-hosted functions with a real Temporal client.</summary>
    private sealed class LiveSystem : IAsyncDisposable
    {
        private ManagedProcess worker = null!;

        public WorkflowEnvironment Temporal { get; private set; } = null!;

        public SimulatorHost Simulators { get; private set; } = null!;

        public FunctionsHost Functions { get; private set; } = null!;

        public static async Task<LiveSystem> StartAsync(IReadOnlyDictionary<string, string?>? simulatorSettings = null)
        {
            var cli = Engines.RequireTemporalCli();
            var redis = Engines.RequireRedis();
            var system = new LiveSystem();
            system.Temporal = await WorkflowEnvironment.StartLocalAsync(new WorkflowEnvironmentStartLocalOptions
            {
                Namespace = "dev",
                DevServerOptions = new DevServerOptions { ExistingPath = cli, LogLevel = "warn" },
            });
            system.Simulators = await SimulatorHost.StartAsync(simulatorSettings, cancellationToken: Ct);
            system.worker = await WorkerProcess.StartAsync(
                system.Temporal.Client.Connection.Options.TargetHost!, "dev", system.Simulators, redis, "orders,payments,inventory");
            system.Functions = await FunctionsHost.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Temporal:Address"] = system.Temporal.Client.Connection.Options.TargetHost,
                ["Temporal:Namespace"] = "dev",
                ["Functions:TemporalCallTimeout"] = "00:00:10",
                ["Redis:Configuration"] = redis,
            });
            return system;
        }

        public async ValueTask DisposeAsync()
        {
            await Functions.DisposeAsync();
            await worker.DisposeAsync();
            await Simulators.DisposeAsync();
            await Temporal.DisposeAsync();
        }
    }
}

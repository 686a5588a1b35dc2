using Serverless.Orders.Contracts;
using Serverless.Testing;
using Temporalio.Api.Enums.V1;

namespace Serverless.Workers.Tests.Live;

/// <summary>
/// Orders through a live Temporal dev server and real worker processes. They run wherever a
/// Temporal CLI exists (TEMPORAL_CLI_PATH or `temporal` on PATH) and are skipped otherwise.
/// </summary>
[RequiresEngine(RequiresEngineAttribute.Temporal)]
[Collection(LiveTemporalGroup.Name)]
public sealed class OrderEndToEndTests(TemporalDevServerFixture temporal)
{
    private static readonly TimeSpan OrderBound = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Order_AcceptedCard_Confirms()
    {
        await using var system = await LiveOrderSystem.StartAsync(temporal);
        await system.StartWorkerAsync("orders,payments,inventory");
        var order = LiveOrderSystem.Order($"happy-{Guid.NewGuid():N}");

        var start = await system.StartOrderAsync(order);
        var outcome = await start.Handle.GetResultAsync().WaitAsync(OrderBound, Ct);

        Assert.Equal(OrderStatus.Confirmed, outcome.Status);
        Assert.Equal(1, system.Simulators.Gateway.ChargesFor(order.OrderId));
        Assert.Equal(2, system.Simulators.Inventory.StockOf("SKU-LIVE").Confirmed);
    }

    [Fact]
    public async Task Order_PaymentDeclined_ReleasesStockAndFails()
    {
        await using var system = await LiveOrderSystem.StartAsync(temporal, new Dictionary<string, string?> { ["Simulators:Inventory:Stock:SKU-LIVE"] = "10" });
        await system.StartWorkerAsync("orders,payments,inventory");
        var order = LiveOrderSystem.Order($"declined-{Guid.NewGuid():N}", token: "tok_declined");

        var outcome = await (await system.StartOrderAsync(order)).Handle.GetResultAsync().WaitAsync(OrderBound, Ct);

        Assert.Equal(OrderStatus.Failed, outcome.Status);
        Assert.StartsWith(OrderFailures.PaymentDeclined, outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(0, system.Simulators.Gateway.ChargesFor(order.OrderId));
        var stock = system.Simulators.Inventory.StockOf("SKU-LIVE");
        Assert.Equal((10, 0), (stock.Available, stock.Reserved));
    }

    [Fact]
    public async Task Order_PaymentsWorkerKilledMidCharge_CompletesWithExactlyOneCharge()
    {
        await using var system = await LiveOrderSystem.StartAsync(temporal, new Dictionary<string, string?>
        {
            ["Simulators:PaymentGateway:MinLatency"] = "00:00:04",
            ["Simulators:PaymentGateway:MaxLatency"] = "00:00:04",
        });
        await system.StartWorkerAsync("orders,inventory");
        var payments = await system.StartWorkerAsync("payments");
        var order = LiveOrderSystem.Order($"killed-{Guid.NewGuid():N}");

        var start = await system.StartOrderAsync(order);
        await Eventually.TrueAsync(
            async () => await LiveOrderSystem.BusySlotsAsync(payments, "dev-payments") >= 1,
            OrderBound,
            "the charge activity is running on the payments worker");
        payments.Kill();
        await system.StartWorkerAsync("payments");
        var outcome = await start.Handle.GetResultAsync().WaitAsync(OrderBound, Ct);

        Assert.Equal(OrderStatus.Confirmed, outcome.Status);
        Assert.Equal(1, system.Simulators.Gateway.ChargesFor(order.OrderId));
    }

    [Fact]
    public async Task Orders_AllWorkersStoppedForAWhile_ResumeAndCompleteWhenWorkersReturn()
    {
        await using var system = await LiveOrderSystem.StartAsync(temporal);
        var orders = Enumerable.Range(0, 5).Select(i => LiveOrderSystem.Order($"paused-{i}-{Guid.NewGuid():N}")).ToList();

        var starts = new List<Orders.Workflows.OrderStart>();
        foreach (var order in orders)
        {
            starts.Add(await system.StartOrderAsync(order));
        }

        foreach (var start in starts)
        {
            var description = await start.Handle.DescribeAsync(new() { Rpc = new() { CancellationToken = Ct } });
            Assert.Equal(WorkflowExecutionStatus.Running, description.Status);
        }

        await system.StartWorkerAsync("orders,payments,inventory");
        var outcomes = await Task.WhenAll(starts.Select(s => s.Handle.GetResultAsync())).WaitAsync(OrderBound, Ct);

        Assert.All(outcomes, o => Assert.Equal(OrderStatus.Confirmed, o.Status));
        Assert.All(orders, o => Assert.Equal(1, system.Simulators.Gateway.ChargesFor(o.OrderId)));
    }

    [Fact]
    public async Task StartOrGet_SameIdempotencyKeyTwice_StartsOneWorkflow()
    {
        await using var system = await LiveOrderSystem.StartAsync(temporal);
        await system.StartWorkerAsync("orders,payments,inventory");
        var order = LiveOrderSystem.Order($"twice-{Guid.NewGuid():N}");

        var first = await system.StartOrderAsync(order);
        var second = await system.StartOrderAsync(order);
        await first.Handle.GetResultAsync().WaitAsync(OrderBound, Ct);
        var afterCompletion = await system.StartOrderAsync(order);

        Assert.True(first.StartedNow);
        Assert.False(second.StartedNow);
        Assert.False(afterCompletion.StartedNow);
        // Visibility is eventually consistent: wait until it lists the run, then check it is the only one.
        var runs = new List<string>();
        await Eventually.TrueAsync(
            async () =>
            {
                runs.Clear();
                await foreach (var execution in temporal.Environment!.Client.ListWorkflowsAsync($"WorkflowId = '{order.OrderId}'").WithCancellation(Ct))
                {
                    runs.Add(execution.RunId);
                }

                return runs.Count > 0;
            },
            OrderBound,
            "visibility lists the order's workflow");

        Assert.Equal(first.Handle.RunId, Assert.Single(runs));
        Assert.Equal(1, system.Simulators.Gateway.ChargesFor(order.OrderId));
    }
}

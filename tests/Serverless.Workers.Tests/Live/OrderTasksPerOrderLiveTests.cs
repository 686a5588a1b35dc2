using Serverless.Orders.Contracts;
using Serverless.Testing;
using Serverless.Testing.Replay;
using Temporalio.Client;

namespace Serverless.Workers.Tests.Live;

/// <summary>
/// Tasks per order on the <c>orders</c> queue, counted from the history a live Temporal dev server
/// recorded for a real order run by real worker processes (the offline count is OrderTasksPerOrderTests).
/// Skipped where no Temporal CLI exists.
/// </summary>
[RequiresEngine(RequiresEngineAttribute.Temporal)]
[Collection(LiveTemporalGroup.Name)]
public sealed class OrderTasksPerOrderLiveTests(TemporalDevServerFixture temporal)
{
    private static readonly TimeSpan OrderBound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task HappyPath_LiveHistory_AtMostFiveTasksOnTheOrdersQueue()
    {
        await using var system = await LiveOrderSystem.StartAsync(temporal);
        await system.StartWorkerAsync("orders,payments,inventory");
        var start = await system.StartOrderAsync(LiveOrderSystem.Order($"tasks-{Guid.NewGuid():N}"));
        var outcome = await start.Handle.GetResultAsync().WaitAsync(OrderBound, TestContext.Current.CancellationToken);
        Assert.Equal(OrderStatus.Confirmed, outcome.Status);

        var history = await start.Handle.FetchHistoryAsync(new WorkflowHistoryEventFetchOptions
        {
            Rpc = new RpcOptions { CancellationToken = TestContext.Current.CancellationToken },
        });
        var tasks = QueueTasks.On(history.Events, "dev-orders");

        // Publishing is a local activity: nothing is scheduled as an activity on the orders queue.
        Assert.Equal(0, tasks.ActivityTasks);
        Assert.InRange(tasks.Total, 1, 5);
    }
}

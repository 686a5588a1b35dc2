using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Testing.Replay;
using static Serverless.Orders.Tests.Replay.OrderHistories;

namespace Serverless.Orders.Tests.Replay;

/// <summary>
/// Tasks per order on the <c>orders</c> queue, counted from the happy-path history the workflow
/// code replays cleanly (so the history is the one the code produces, not a wish). The policy's
/// <c>itemsPerOrder</c> for the queue (keda/scalers.yaml) is this figure. The same count on a live
/// server is in Serverless.Workers.Tests (OrderTasksPerOrderLiveTests).
/// </summary>
public sealed class OrderTasksPerOrderTests
{
    [Fact]
    public async Task HappyPath_OrdersQueue_FourWorkflowTasksAndNoActivityTasks()
    {
        var history = Start().Reserved().Charged().Confirmed().CompletedWith(Outcome(OrderStatus.Confirmed));
        var (result, _) = await Replays.ReplayAsync<OrderWorkflow>(history, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(result.ReplayFailure);

        var tasks = QueueTasks.On(history.Events, OrdersQueue);

        // Four events are published, each inside the workflow task that reached its state.
        Assert.Equal(4, history.Events.Count(e => e.MarkerRecordedEventAttributes?.MarkerName == HistoryBuilder.LocalActivityMarker));
        Assert.Equal(new QueueTasks(WorkflowTasks: 4, ActivityTasks: 0), tasks);
        Assert.InRange(tasks.Total, 1, 5);
    }
}

using Serverless.Scaling.Tests.Support;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Simulation;

namespace Serverless.Scaling.Tests.Simulation;

/// <summary>The work signal through the whole loop, on worked cases: in-flight work, the activation window, push wake-up.</summary>
public sealed class WorkSignalSimulationTests
{
    private static QueueRun Run(QueuePolicy queue, double[] arrivals, SimulationOptions? options = null) =>
        QueueSimulator.Run(queue, ClusterSettings.Default, arrivals, options ?? SimulationOptions.WorstCaseFrom(queue.Scaling.PollingIntervalSeconds), TestContext.Current.CancellationToken);

    private static double[] Every(int gapSeconds, int seconds, double items = 1) =>
        [.. Enumerable.Range(0, seconds).Select(s => s % gapSeconds == 0 ? items : 0)];

    [Fact]
    public void Run_OneItemOnAnIdleWorkQueue_WakesItAtTheArrivalNotAtThePoll()
    {
        var queue = TestQueues.Work(TestQueues.Temporal(polling: 30, startup: 10), windowSeconds: 120);

        var run = Run(queue, [0, 0, 0, 1]);

        var wake = run.Events[0];
        Assert.Equal((ScalingActor.KedaPush, 3L, 0, 1), (wake.Actor, wake.At, wake.From, wake.To));
        Assert.Equal(10, run.Summary.MaxWaitSeconds); // start-up only; a poll would have added up to 30 s
        Assert.Equal(0, run.Summary.ItemsUnserved, 6);
    }

    [Fact]
    public void Run_ItemsFurtherApartThanTheCooldown_TheWindowKeepsTheWorkQueueUp()
    {
        // An item every 97 s, served at once; cooldown 60 s. Backlog sleeps between items, work with a 120 s window does not.
        var backlog = TestQueues.Temporal(polling: 10, cooldown: 60, serviceRate: 100, concurrency: 10);
        var arrivals = Every(97, 1000);

        var onBacklog = Run(backlog, arrivals);
        var onWork = Run(TestQueues.Work(backlog, windowSeconds: 120), arrivals);

        Assert.Contains(onBacklog.Events, e => e.To == 0 && e.At < 1000);
        Assert.DoesNotContain(onWork.Events, e => e.To == 0 && e.At < 1000);
        // Only the first item waits (1 s: woken at its arrival, ready the next second); on backlog every item waits for a poll.
        Assert.Equal(1, onWork.Summary.MaxWaitSeconds);
        Assert.DoesNotContain(0, onWork.Series.Replicas[..1000]);
        Assert.True(onBacklog.Summary.P50WaitSeconds > 1);
    }

    [Fact]
    public void Run_WorkQueueAfterTheLastItem_ReachesZeroAfterWindowPlusCooldown()
    {
        var queue = TestQueues.Work(TestQueues.Temporal(polling: 10, cooldown: 60, serviceRate: 100, concurrency: 10), windowSeconds: 120);

        var run = Run(queue, [1]);

        // Active through 119 s (the arrival at 0 + a 120 s window); polls at 10, 20, ...: the first with 119 + 60 < now is 180.
        var sleep = run.Events.Single(e => e.To == 0);
        Assert.Equal((ScalingActor.Keda, 180L), (sleep.Actor, sleep.At));
        Assert.Equal(0, run.Series.Replicas[^1]);
    }

    [Fact]
    public void Run_WorkQueueWithoutWindow_ReachesZeroAfterTheCooldownAlone()
    {
        var queue = TestQueues.Work(TestQueues.Temporal(polling: 10, cooldown: 60, serviceRate: 100, concurrency: 10), windowSeconds: 0);

        var run = Run(queue, [1]);

        // The item is in flight in its second (pushed active at 0), then nothing: the first poll with 0 + 60 < now is 70.
        Assert.Equal(70L, run.Events.Single(e => e.To == 0).At);
    }

    [Fact]
    public void Run_WorkQueueKeepingUp_MetricIsTheItemsInFlight()
    {
        // 10 items/s, task time 20 / 25 = 0.8 s: 8 in flight and none waiting once the replica is ready.
        var queue = TestQueues.Work(TestQueues.Temporal(target: 20, min: 1, polling: 5, serviceRate: 25, concurrency: 20), windowSeconds: 120);

        var run = Run(queue, Enumerable.Repeat(10.0, 120).ToArray(), SimulationOptions.Default);

        Assert.All(run.Series.InFlight[..120], f => Assert.Equal(8, f, 3));
        Assert.All(run.Series.Backlog[..120], b => Assert.Equal(0, b));
        Assert.All(run.Series.Replicas, r => Assert.Equal(1, r));
    }

    [Fact]
    public void Run_SteadyLoadAboveOneReplica_WorkHoldsASteadyCountWhereBacklogOscillates()
    {
        // 40 items/s on replicas of 25 items/s (20 slots, 0.8 s per item): outstanding = 32 → ceil(32 / 20) = 2 replicas.
        var backlog = TestQueues.Temporal(target: 20, min: 1, max: 10, polling: 5, serviceRate: 25, concurrency: 20, startup: 10, behavior: new HpaBehavior());
        var arrivals = Enumerable.Repeat(40.0, 3600).ToArray();

        var onWork = Run(TestQueues.Work(backlog, windowSeconds: 120), arrivals, SimulationOptions.Default);
        var onBacklog = Run(backlog, arrivals, SimulationOptions.Default);

        Assert.All(onWork.Series.Replicas[600..3600], r => Assert.Equal(2, r));
        Assert.True(Changes(onBacklog.Series.Replicas[600..3600]) > 0, "backlog alone reads 0 while 2 replicas keep up, so the HPA scales in and backlog builds again");
    }

    private static int Changes(int[] replicas) => replicas.Zip(replicas.Skip(1)).Count(p => p.First != p.Second);
}

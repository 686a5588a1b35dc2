using Serverless.Scaling.Tests.Support;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Simulation;

namespace Serverless.Scaling.Tests.Simulation;

/// <summary>Scenarios through the whole loop: KEDA polls, HPA syncs, pod start-up, work.</summary>
public sealed class QueueSimulatorTests
{
    private static QueueRun Run(QueuePolicy queue, double[] arrivals, SimulationOptions? options = null) =>
        QueueSimulator.Run(queue, ClusterSettings.Default, arrivals, options ?? SimulationOptions.WorstCaseFrom(queue.Scaling.PollingIntervalSeconds), TestContext.Current.CancellationToken);

    [Fact]
    public void Run_BurstOnIdleQueue_ActivatesAtThePollThenHpaRampsAfterStartup()
    {
        var queue = TestQueues.Temporal(target: 10, polling: 10, startup: 20, serviceRate: 1, concurrency: 10, behavior: new HpaBehavior());

        var run = Run(queue, [100]);

        var activation = run.Events[0];
        Assert.Equal((ScalingActor.Keda, 10L, 0, 1), (activation.Actor, activation.At, activation.From, activation.To));
        var firstHpa = run.Events.First(e => e.Actor == ScalingActor.Hpa);
        Assert.Equal((25L, 1, 5), (firstHpa.At, firstHpa.From, firstHpa.To)); // default behaviour: max(1 + 4, 2)
        Assert.Equal(0, run.Series.ReadyReplicas[29]);
        Assert.Equal(1, run.Series.ReadyReplicas[30]);
    }

    [Fact]
    public void Run_AfterTheWork_ScalesToZeroAtTheFirstPollPastCooldown()
    {
        var queue = TestQueues.Temporal(polling: 10, cooldown: 60, serviceRate: 100, concurrency: 100);

        var run = Run(queue, [5]);

        // Polls at 10, 20, ...: the activation at 10 is the last active poll (the items are served at 11),
        // so the first poll with 10 + 60 < now is at 80.
        var lastActive = run.Events.Single(e => e.To > e.From && e.Actor == ScalingActor.Keda).At;
        var deactivation = run.Events.Single(e => e.Actor == ScalingActor.Keda && e.To == 0);
        Assert.Equal(lastActive + 70, deactivation.At);
        Assert.Equal(0, run.Series.Replicas[^1]);
    }

    [Fact]
    public void Run_PendingMetricAtZero_NeverWakes()
    {
        var run = Run(TestQueues.Stream(StreamMetric.Pending), [100]);

        Assert.Empty(run.Events);
        Assert.Equal(100, run.Summary.ItemsUnserved, 6);
    }

    [Fact]
    public void Run_LagMetricAtZero_WakesAndServes()
    {
        var run = Run(TestQueues.Stream(StreamMetric.Lag), [100]);

        Assert.Equal(ScalingActor.Keda, run.Events[0].Actor);
        Assert.Equal(0, run.Summary.ItemsUnserved, 6);
    }

    [Fact]
    public void Run_ScalerOutageWithFallback_WakesFromZeroAndHpaAppliesFallbackReplicas()
    {
        var queue = TestQueues.Temporal(polling: 5, fallback: new FallbackSettings(FailureThreshold: 2, Replicas: 3), behavior: new HpaBehavior());
        var options = new SimulationOptions(ScalerOutages: [new ScalerOutage(0, 600)]);

        var run = Run(queue, new double[300], options);

        var wake = run.Events[0];
        Assert.Equal((ScalingActor.Keda, 0, 1), (wake.Actor, wake.From, wake.To));
        Assert.Equal(10L, wake.At); // the third failed poll (t = 0, 5, 10) exceeds failureThreshold 2
        Assert.Contains(run.Events, e => e.Actor == ScalingActor.Hpa && e.To == 3);
    }

    [Fact]
    public void Run_ScalerOutageWithoutFallback_KeepsTheCount()
    {
        var queue = TestQueues.Temporal(min: 2, polling: 5);
        var options = new SimulationOptions(ScalerOutages: [new ScalerOutage(0, 600)]);

        var run = Run(queue, new double[300], options);

        Assert.Empty(run.Events);
        Assert.All(run.Series.Replicas, r => Assert.Equal(2, r));
    }

    [Fact]
    public void Run_CooldownShorterThanTheWork_ScalesToZeroWithItemsInFlight()
    {
        // §3.4: backlog excludes work in flight. 10 slow items are all held: the metric reads 0 and KEDA
        // scales to zero after the cooldown, interrupting them.
        var queue = TestQueues.Temporal(polling: 5, cooldown: 5, serviceRate: 0.05, concurrency: 20);

        var run = Run(queue, [10]);

        Assert.True(run.Summary.InterruptedItems > 0);
    }

    [Fact]
    public void Run_StartupDelay_ItemsWaitForTheFirstReadyPod()
    {
        var queue = TestQueues.Temporal(polling: 5, startup: 30, serviceRate: 1000, concurrency: 1000);

        var run = Run(queue, [50]);

        // Arrive at 0, activation at 5 (worst case), ready at 35.
        Assert.Equal(35, run.Summary.P50WaitSeconds);
        Assert.Equal(35, run.Summary.MaxWaitSeconds);
    }

    [Fact]
    public void Run_Summary_ReportsCostPeakAndDrain()
    {
        var queue = TestQueues.Temporal(target: 10, min: 1, polling: 5, serviceRate: 5, concurrency: 5, behavior: new HpaBehavior());
        var arrivals = Enumerable.Repeat(20.0, 120).ToArray();

        var run = Run(queue, arrivals, SimulationOptions.Default);

        Assert.True(run.Summary.PeakReplicas >= 4);
        Assert.Equal(run.Series.Replicas.Sum(), run.Summary.ReplicaSeconds);
        Assert.NotNull(run.Summary.DrainSeconds);
        Assert.Equal(2400, run.Summary.ItemsArrived, 6);
        Assert.Equal(0, run.Summary.ItemsUnserved, 6);
    }
}

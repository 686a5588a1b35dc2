using Serverless.Scaling.Simulation;

namespace Serverless.Scaling.Tests.Simulation;

public sealed class WorkBacklogTests
{
    [Fact]
    public void Work_ItemsTakenByAReplica_AreInFlightNotWaiting()
    {
        var backlog = new WorkBacklog();
        backlog.Arrive(0, 30);

        backlog.Work(0, readyReplicas: 1, serviceRatePerReplica: 1, concurrencyPerReplica: 20);

        Assert.Equal(9, backlog.Waiting, 6);
        Assert.Equal(20, backlog.Held, 6);
        Assert.Equal(1, backlog.Completed, 6);
    }

    [Fact]
    public void Work_ReplicasRemovedWhileHoldingItems_ReturnsThemAndCountsTheInterruption()
    {
        var backlog = new WorkBacklog();
        backlog.Arrive(0, 30);
        backlog.Work(0, 1, 1, 20);

        backlog.Work(1, 0, 1, 20);

        Assert.Equal(20, backlog.Interrupted, 6);
        Assert.Equal(29, backlog.Waiting, 6);
        Assert.Equal(0, backlog.Held, 6);
    }

    [Fact]
    public void Work_ItemsWaitUntilAReplicaTakesThem()
    {
        var backlog = new WorkBacklog();
        backlog.Arrive(0, 10);
        for (var t = 0; t < 5; t++)
        {
            backlog.Work(t, 0, 100, 100);
        }

        backlog.Work(5, 1, 100, 100);

        Assert.Equal(5, backlog.Waits.Percentile(0.5));
        Assert.Equal(10, backlog.Waits.Total, 6);
        Assert.Equal(0, backlog.OldestWait(5));
    }

    [Fact]
    public void Work_FasterThanConcurrency_CompletesTheServiceRatePerSecond()
    {
        var backlog = new WorkBacklog();
        backlog.Arrive(0, 100);

        backlog.Work(0, readyReplicas: 2, serviceRatePerReplica: 25, concurrencyPerReplica: 10);

        // 50 finish within the second and 20 more are picked up: 30 wait.
        Assert.Equal(50, backlog.Completed, 6);
        Assert.Equal(30, backlog.Waiting, 6);
    }

    [Fact]
    public void Work_ReplicasKeepingUp_InFlightIsThroughputTimesTaskTime()
    {
        // Task time = 20 slots / 25 items/s = 0.8 s; 5 items/s completed → 4 in flight (Little's law).
        var backlog = new WorkBacklog();
        backlog.Arrive(0, 5);

        backlog.Work(0, readyReplicas: 1, serviceRatePerReplica: 25, concurrencyPerReplica: 20);

        Assert.Equal((0, 0, 5), (backlog.Waiting, backlog.Held, backlog.Completed));
        Assert.Equal(4, backlog.InFlight, 6);
    }

    [Fact]
    public void Work_Saturated_InFlightIsEverySlot()
    {
        var backlog = new WorkBacklog();
        backlog.Arrive(0, 100);

        backlog.Work(0, readyReplicas: 2, serviceRatePerReplica: 25, concurrencyPerReplica: 10);

        // 50 completed × 0.4 s = 20 = every slot of 2 replicas, and 20 are still held.
        Assert.Equal(20, backlog.InFlight, 6);
        Assert.Equal(20, backlog.Held, 6);
    }

    [Fact]
    public void Work_NoArrivalsAfterTheWork_NothingIsInFlight()
    {
        var backlog = new WorkBacklog();
        backlog.Arrive(0, 5);
        backlog.Work(0, 1, 25, 20);

        backlog.Work(1, 1, 25, 20);

        Assert.Equal(0, backlog.InFlight, 6);
    }

    [Fact]
    public void Abandon_ItemsNeverTaken_CountWithTheirAge()
    {
        var backlog = new WorkBacklog();
        backlog.Arrive(3, 4);

        var left = backlog.Abandon(10);

        Assert.Equal(4, left, 6);
        Assert.Equal(7, backlog.Waits.MaxSeconds);
    }
}

using Serverless.Scaling.Policy;
using Serverless.Scaling.Simulation;
using Serverless.Scaling.Traffic;
using Serverless.Testing.Policy;

namespace Serverless.Scaling.Tests.Simulation;

/// <summary>Issue 10's promise on the shipped policy, as `serverless simulate` computes it (keda/SIZING.md has the figures).</summary>
public sealed class ShippedPolicySimulationTests
{
    private static readonly EnvironmentPolicy Prod = PolicyText.Valid(PolicyText.CheckedIn).Find("prod")!;

    private static PolicyRun Simulate(EnvironmentPolicy environment, ArrivalTrace trace) =>
        EnvironmentSimulator.Run(environment.Name, environment, trace, SimulationOptions.Default, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public void Simulate_ProdGeneratedDay_EveryPoolStartsWithinTwoSecondsAtP99ForAtMostOneAndAHalfTimesTheBacklogCost()
    {
        var day = GeneratedDay.Create(Prod.Traffic, seed: 1);

        var work = Simulate(Prod, day);
        var backlog = Simulate(Prod.WithSignal(ScalingSignal.Backlog), day);

        Assert.All(Prod.Queues, q => Assert.Equal(ScalingSignal.Work, q.Signal));
        Assert.All(work.Queues, q => Assert.True(q.Summary.P99WaitSeconds <= 2, $"{q.Queue.Name}: p99 wait {q.Summary.P99WaitSeconds} s"));
        Assert.Contains(backlog.Queues, q => q.Summary.P99WaitSeconds > 2);
        var workHours = work.Queues.Sum(q => q.Summary.ReplicaHours);
        var backlogHours = backlog.Queues.Sum(q => q.Summary.ReplicaHours);
        Assert.True(workHours <= 1.5 * backlogHours, $"work {workHours:0.0} replica-hours, backlog {backlogHours:0.0}");
    }

    [Fact]
    public void Simulate_ProdIdleHourTrace_EveryPoolAtFloorZeroReachesZeroInTheIdleHour()
    {
        var names = Prod.Queues.Select(q => q.Name).ToList();
        var (trace, problems) = CsvTrace.Parse(File.ReadAllText(RepositoryLayout.IdleHourTracePath), "idle-hour.csv", names);
        Assert.Empty(problems);

        var run = Simulate(Prod, trace!);

        foreach (var queue in run.Queues.Where(q => q.Queue.Scaling.MinReplicas == 0))
        {
            var idle = queue.Series.Replicas[3600..7200];
            // Zero after the window (120 s) and the cooldown (300 s) of real idleness, up to the first arrival at 7200 s.
            var firstZero = Array.IndexOf(idle, 0);
            Assert.True(firstZero is > 0 and <= 120 + 300 + 5, $"{queue.Queue.Name}: first zero {firstZero} s into the idle hour");
            Assert.All(idle[firstZero..], r => Assert.Equal(0, r));
            Assert.All(queue.Series.Replicas[1..3600], r => Assert.True(r > 0, $"{queue.Queue.Name} slept during traffic"));
        }
    }
}

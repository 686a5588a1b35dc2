using CsCheck;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Simulation;

namespace Serverless.Scaling.Tests.Simulation;

/// <summary>
/// Properties over random policies and arrival patterns (CsCheck; a failure prints the seed that reproduces it).
/// </summary>
public sealed class ScalingPropertyTests
{
    private const int Iterations = 150;

    private static readonly Gen<HpaScalingPolicy> ScalingPolicy =
        Gen.Select(Gen.Enum<ScalingPolicyType>(), Gen.Int[1, 200], Gen.Int[1, 120], (type, value, period) => new HpaScalingPolicy(type, value, period));

    private static readonly Gen<HpaScalingRules?> Rules = Gen.Frequency(
        (1, Gen.Const((HpaScalingRules?)null)),
        (3, Gen.Select(Gen.Int[0, 600], Gen.Enum<SelectPolicy>(), ScalingPolicy.Array[1, 3], Gen.Int[0, 30],
            (window, select, policies, tolerance) => (HpaScalingRules?)new HpaScalingRules(window, select, policies, tolerance / 100.0))));

    private static readonly Gen<HpaBehavior> Behavior = Gen.Select(Rules, Rules, (up, down) => new HpaBehavior(up, down));

    private static readonly Gen<FallbackSettings?> Fallback = Gen.Frequency(
        (1, Gen.Const((FallbackSettings?)null)),
        (1, Gen.Select(Gen.Int[0, 5], Gen.Int[0, 6], Gen.Enum<FallbackBehavior>(), (threshold, replicas, behavior) => (FallbackSettings?)new FallbackSettings(threshold, replicas, behavior))));

    private static readonly Gen<double[]> Arrivals =
        Gen.Frequency((8, Gen.Const(0)), (2, Gen.Int[1, 20]), (1, Gen.Int[20, 400])).Array[300, 1800].Select(a => a.Select(v => (double)v).ToArray());

    private static readonly Gen<IReadOnlyList<ScalerOutage>?> Outages = Gen.Frequency(
        (3, Gen.Const((IReadOnlyList<ScalerOutage>?)null)),
        (1, Gen.Select(Gen.Int[0, 1500], Gen.Int[1, 600], (from, length) => (IReadOnlyList<ScalerOutage>?)[new ScalerOutage(from, from + length)])));

    private static Gen<QueuePolicy> Queue(Gen<HpaBehavior?> behaviors) =>
        Gen.Select(
            Gen.Select(Gen.Int[1, 50], Gen.Int[0, 60], Gen.Int[0, 3], Gen.Int[0, 20], Gen.Int[1, 60], Gen.Int[0, 600], Gen.Bool, (target, activation, min, extra, polling, cooldown, cached) => (target, activation, min, max: Math.Max(1, min + extra), polling, cooldown, cached)),
            behaviors,
            Fallback,
            Gen.Select(Gen.Double[0.2, 60], Gen.Int[1, 50], Gen.Int[0, 90], (rate, concurrency, startup) => new WorkloadProfile(1, rate, concurrency, startup, 10)),
            (s, behavior, fallback, workload) => new QueuePolicy(
                "q",
                "q-worker",
                new TemporalQueueSource("q", [TemporalQueueType.Activity]),
                new ScalingSettings(s.target, s.activation, s.min, s.max, s.polling, s.cooldown, s.cached, behavior, fallback),
                workload,
                new ServiceLevel(30),
                new FieldLocations(new SourceLocation("generated", 1, 1), new Dictionary<string, SourceLocation>())));

    private static readonly Gen<HpaBehavior?> AnyBehavior = Gen.Frequency((1, Gen.Const((HpaBehavior?)null)), (3, Behavior.Select(b => (HpaBehavior?)b)));

    private static QueueRun Simulate(QueuePolicy queue, double[] arrivals, IReadOnlyList<ScalerOutage>? outages) =>
        QueueSimulator.Run(queue, ClusterSettings.Default, arrivals, new SimulationOptions(ScalerOutages: outages), TestContext.Current.CancellationToken);

    [Fact]
    public void Run_AnyPolicyAndLoad_ReplicasStayWithinMinAndMax()
    {
        Gen.Select(Queue(AnyBehavior), Arrivals, Outages).Sample((queue, arrivals, outages) =>
        {
            var run = Simulate(queue, arrivals, outages);
            var (min, max) = (queue.Scaling.MinReplicas, queue.Scaling.MaxReplicas);
            foreach (var replicas in run.Series.Replicas)
            {
                Assert.True(
                    (replicas >= min && replicas <= max) || (replicas == 0 && min == 0),
                    $"replicas {replicas} outside [{min}, {max}]");
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Run_WithBehavior_NoScaleUpWhileBacklogWithinTargetTimesReplicasPlusTolerance()
    {
        // Every scale-up (KEDA's 0 → 1 included) must have read more than target × replicas × (1 + tolerance).
        // Two documented exceptions: while the scaler is down, fallback decides on a synthetic metric (§1.4), and
        // the legacy path (no behaviour) keeps ramping to a raw recommendation remembered from the last 5 minutes
        // (HorizontalPodAutoscalerModelTests pins that case).
        Gen.Select(Queue(Behavior.Select(b => (HpaBehavior?)b)), Arrivals, Outages).Sample((queue, arrivals, outages) =>
        {
            var run = Simulate(queue, arrivals, outages);
            var tolerance = Tolerances.For(queue.Scaling.Behavior, ClusterSettings.Default).ScaleUp;
            var seen = new SimulationOptions(ScalerOutages: outages);
            foreach (var e in run.Events.Where(e => e.To > e.From && !seen.ScalerDown(e.At)))
            {
                var metric = e.Metric ?? double.NaN;
                Assert.True(
                    e.From == 0 ? metric > 0 : metric / ((double)queue.Scaling.TargetPerReplica * e.From) > 1 + tolerance,
                    $"{e.Actor} scaled {e.From} → {e.To} at {e.At} s on metric {metric} (target {queue.Scaling.TargetPerReplica})");
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void AverageValue_BacklogWithinTargetTimesReplicasPlusTolerance_NeverProposesMore()
    {
        Gen.Select(Gen.Double[0, 5000], Gen.Int[1, 100], Gen.Int[1, 200], Gen.Int[0, 30]).Sample((usage, target, replicas, tolerancePercent) =>
        {
            var tolerances = new Tolerances(0.1, tolerancePercent / 100.0);
            if (usage <= target * replicas * (1 + tolerances.ScaleUp))
            {
                Assert.True(ExternalMetricProposal.AverageValue(usage, target, replicas, tolerances) <= replicas);
            }
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public void Run_QueueThatNeverGetsWork_StaysAtZero()
    {
        Gen.Select(Queue(AnyBehavior).Select(q => q with { Scaling = q.Scaling with { MinReplicas = 0 } }), Gen.Int[1, 7200]).Sample((queue, seconds) =>
        {
            var run = Simulate(queue, new double[seconds], null);

            Assert.Empty(run.Events);
            Assert.All(run.Series.Replicas, r => Assert.Equal(0, r));
        }, iter: Iterations, threads: 1);
    }
}

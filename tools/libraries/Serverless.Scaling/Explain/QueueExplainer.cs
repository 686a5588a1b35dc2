using System.Globalization;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Simulation;
using Serverless.Scaling.Traffic;

namespace Serverless.Scaling.Explain;

/// <summary>A plain-words account of one scenario: what happens, when, and what it costs.</summary>
public sealed record Explanation(string Title, IReadOnlyList<string> Setting, IReadOnlyList<(long At, string Text)> Timeline, IReadOnlyList<string> Summary, QueueRun Run);

/// <summary>
/// Explains a queue from idle: <c>items</c> arrive at once, right after a KEDA poll (the worst case), and the
/// same model as <c>serverless simulate</c> runs until the queue is back at rest. Every sentence is read off
/// the run's scaling events and time series, so the words cannot drift from the model.
/// </summary>
public static class QueueExplainer
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Without an explicit count: one minute of the declared peak.</summary>
    public static double DefaultItems(EnvironmentPolicy environment, QueuePolicy queue)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(queue);
        return Math.Max(1, Math.Ceiling(environment.Traffic.PeakOrdersPerSecond * queue.Workload.ItemsPerOrder * 60));
    }

    public static Explanation Explain(EnvironmentPolicy environment, QueuePolicy queue, double items)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(queue);
        var scaling = queue.Scaling;
        var trace = ArrivalTrace.Burst(queue.Name, items);
        var run = QueueSimulator.Run(queue, environment.Cluster, trace.ItemsFor(queue), SimulationOptions.WorstCaseFrom(scaling.PollingIntervalSeconds));
        var series = run.Series;

        var setting = new List<string>
        {
            $"{queue.Name} ({environment.Name}): {QueueDescription.Of(environment, queue)}, scales Deployment {queue.Deployment} between {scaling.MinReplicas} and {scaling.MaxReplicas} replicas.",
            Formula(queue),
            $"KEDA polls every {scaling.PollingIntervalSeconds} s"
                + (queue.UsesPushScaler ? " and the push scaler tells it at once when the queue turns active" : string.Empty)
                + $"; the HPA syncs every {environment.Cluster.HpaSyncPeriodSeconds} s.",
            $"A replica starts in {queue.Workload.StartupSeconds} s, holds {queue.Workload.ConcurrencyPerReplica} items and completes {F(queue.Workload.ServiceRatePerReplica)} items/s.",
            $"Scenario: the queue is idle at {scaling.MinReplicas} replica(s) and {F(items)} items arrive at once, just after a KEDA poll (the worst case).",
        };

        var timeline = new List<(long, string)> { (0, $"{F(items)} items arrive; {scaling.MinReplicas} replica(s) running.") };
        timeline.AddRange(run.Events.Select(e => (e.At, Narrate(e, queue, environment))));
        timeline.AddRange(ReadyChanges(series, queue.Workload.StartupSeconds));
        var emptyAt = FirstFrom(series, 0, i => series.Backlog[i] <= 0);
        if (emptyAt is { } empty)
        {
            timeline.Add((empty, queue.Signal == ScalingSignal.Work
                ? "the last waiting item is picked up: backlog 0 (items in flight still count as outstanding work)."
                : "the last waiting item is picked up: backlog 0 (the scaler stops seeing work, while items may still be in flight)."));
        }

        var doneAt = FirstFrom(series, 0, i => series.Backlog[i] <= 0 && series.InFlight[i] <= 0);
        if (doneAt is { } done && done != emptyAt)
        {
            timeline.Add((done, "all items are finished."));
        }

        var summary = Summarize(environment, queue, run, emptyAt);
        var ordered = timeline.OrderBy(t => t.Item1).ToList();
        return new Explanation($"serverless scalers explain {queue.Name} --environment {environment.Name}", setting, ordered, summary, run);
    }

    private static List<string> Summarize(EnvironmentPolicy environment, QueuePolicy queue, QueueRun run, long? emptyAt)
    {
        var scaling = queue.Scaling;
        var series = run.Series;
        var summary = new List<string>();
        var firstReady = FirstFrom(series, 0, i => series.ReadyReplicas[i] > 0);
        summary.Add(scaling.MinReplicas > 0
            ? $"Wake-up: none needed, {scaling.MinReplicas} replica(s) are always running and start at once."
            : firstReady is { } ready
                ? $"Wake-up: the first replica is ready {Durations.Format(ready)} after the items arrive ("
                  + (queue.UsesPushScaler ? "the push scaler wakes the pool at once" : $"KEDA polling up to {scaling.PollingIntervalSeconds} s")
                  + $" + start-up {queue.Workload.StartupSeconds} s)."
                : "Wake-up: the pool never wakes: the backlog never rises above the activation threshold.");

        var peakAt = FirstFrom(series, 0, i => series.Replicas[i] == run.Summary.PeakReplicas) ?? 0;
        var limitedBy = run.Events.LastOrDefault(e => e.Actor == ScalingActor.Hpa && e.To > e.From && e.At <= peakAt)?.Reason;
        summary.Add($"Ramp: up to {run.Summary.PeakReplicas} replica(s), reached {Durations.Format(peakAt)} after arrival"
            + (limitedBy is null ? "." : $"; the last step up: {limitedBy}."));

        var s = run.Summary;
        summary.Add(emptyAt is { } empty
            ? $"Drain: the backlog is empty after {Durations.Format(empty)}. Queue wait p50 {s.P50WaitSeconds} s, p99 {s.P99WaitSeconds} s, max {s.MaxWaitSeconds} s; "
              + $"{F(s.SloBreachedItems)} item(s) waited longer than the SLO of {queue.Slo.QueueWaitSeconds} s."
            : $"Drain: the backlog does not empty within the simulated {Durations.Format(s.SimulatedSeconds)}; {F(s.ItemsUnserved)} item(s) never start.");

        var restAt = run.Events.Count == 0 ? 0 : run.Events[^1].At;
        summary.Add($"Back to rest: {scaling.MinReplicas} replica(s) {Durations.Format(restAt)} after arrival "
            + $"(HPA scale-down stabilisation {DownWindow(environment, queue)} s; KEDA cooldown {scaling.CooldownSeconds} s after the last active poll"
            + (queue.Signal == ScalingSignal.Work ? $", which comes up to {queue.ActivationWindowSeconds} s after the last arrival (activation window)" : string.Empty)
            + (scaling.MinReplicas > 0 ? ", not used with minReplicas ≥ 1)." : ")."));
        if (s.InterruptedItems > 0)
        {
            summary.Add($"Careful: {F(s.InterruptedItems)} item(s) were held by a replica that was removed: they finish only if the pod drains within its grace period, else they are redelivered.");
        }

        summary.Add($"Cost: {s.ReplicaSeconds} replica-seconds ({F(s.ReplicaHours)} replica-hours).");
        return summary;
    }

    /// <summary>What the scaler measures and how KEDA and the HPA use it (WORK-SIGNAL-CONTRACT; platform-semantics §1.2, §2.2).</summary>
    public static string Formula(QueuePolicy queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var scaling = queue.Scaling;
        var inFlight = queue.Source is RedisStreamSource ? "pending entries of the group" : "used slots of the workers' leases";
        if (queue.Signal == ScalingSignal.Work)
        {
            return $"Signal work: metric = waiting + in flight ({inFlight}); active while metric > {scaling.ActivationThreshold} or an item arrived within the last {queue.ActivationWindowSeconds} s; "
                + $"desired replicas = ceil(metric / {scaling.TargetPerReplica}).";
        }

        var waiting = queue.Source is RedisStreamSource { Metric: StreamMetric.Pending } ? "pending entries (read, not acknowledged)" : "waiting items only (work in flight is not counted)";
        return $"Signal backlog: metric = {waiting}; active while metric > {scaling.ActivationThreshold}; desired replicas = ceil(metric / {scaling.TargetPerReplica}).";
    }

    private static string Narrate(ScalingEvent e, QueuePolicy queue, EnvironmentPolicy environment) => e.Actor switch
    {
        ScalingActor.KedaPush =>
            $"KEDA (pushed by the push scaler): {e.Reason}: {queue.Deployment} {e.From} → {e.To}.",
        ScalingActor.Keda when e.To > e.From =>
            $"KEDA (polls every {queue.Scaling.PollingIntervalSeconds} s) sees {(queue.Signal == ScalingSignal.Work ? "outstanding work" : "backlog")} {F(e.Metric ?? 0)}: {e.Reason}: {queue.Deployment} {e.From} → {e.To}.",
        ScalingActor.Keda =>
            $"KEDA: {e.Reason}: {queue.Deployment} {e.From} → {e.To}.",
        _ =>
            $"HPA (syncs every {environment.Cluster.HpaSyncPeriodSeconds} s): {e.Reason}: {e.From} → {e.To}.",
    };

    private static IEnumerable<(long, string)> ReadyChanges(QueueSeries series, int startupSeconds)
    {
        for (var i = 1; i < series.Length; i++)
        {
            if (series.ReadyReplicas[i] > series.ReadyReplicas[i - 1])
            {
                yield return (i, $"{series.ReadyReplicas[i]} replica(s) ready (start-up {startupSeconds} s).");
            }
        }
    }

    private static long? FirstFrom(QueueSeries series, int from, Func<int, bool> predicate)
    {
        for (var i = from; i < series.Length; i++)
        {
            if (predicate(i))
            {
                return i;
            }
        }

        return null;
    }

    private static int DownWindow(EnvironmentPolicy environment, QueuePolicy queue) =>
        queue.Scaling.Behavior is { } behavior
            ? behavior.WithDefaults(environment.Cluster).ScaleDown.StabilizationWindowSeconds
            : environment.Cluster.DownscaleStabilizationSeconds;

    private static string F(double value) => value.ToString("0.##", Invariant);
}

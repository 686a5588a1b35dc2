using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Simulation;

/// <summary>
/// Runs one queue through KEDA + HPA at one-second steps. Each second: pods that finished starting become
/// ready; arrivals join the queue; ready replicas work; then the HPA syncs (every sync period) and the KEDA
/// operator polls (every pollingInterval) on the metric as it is now. With both in the same second the HPA
/// goes first, so an activation is picked up by the next sync (the slower, worst-case order).
/// The scaler reads are live (or, with useCachedMetrics, the HPA reuses the operator's last read) and share
/// one fallback counter (platform-semantics §1.2, §1.4).
/// The metric is the queue's signal: waiting items (backlog), or waiting + in flight (work), which is also
/// active while an item arrived within the activation window. A trigger served by the push scaler tells KEDA
/// "active" in the second it becomes so (§5.2): a sleeping pool wakes at the arrival, not at the next poll,
/// and every pushed "active" refreshes KEDA's last active time as an active poll does.
/// </summary>
public static class QueueSimulator
{
    public static QueueRun Run(QueuePolicy queue, ClusterSettings cluster, ReadOnlySpan<double> arrivals, SimulationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);

        var scaling = queue.Scaling;
        var workload = queue.Workload;
        var rate = workload.ServiceRatePerReplica * options.ServiceRateFactor;
        var signal = new QueueSignal(queue);
        var trigger = new ScalerTrigger(scaling.TargetPerReplica, scaling.ActivationThreshold, scaling.Fallback);
        var keda = new KedaScaledObjectModel(scaling.MinReplicas, scaling.CooldownSeconds, scaling.Fallback);
        var hpa = new HorizontalPodAutoscalerModel(scaling.MinReplicas, scaling.MaxReplicas, scaling.Behavior, cluster);
        var deployment = new DeploymentModel(workload.StartupSeconds, scaling.MinReplicas);
        var work = new WorkBacklog();
        var events = new List<ScalingEvent>();
        var horizon = arrivals.Length + (long)options.DrainTailSeconds;
        var series = new QueueSeries((int)horizon);
        TriggerReading? lastPoll = null;
        long replicaSeconds = 0, secondsAtZero = 0;
        var peakReplicas = deployment.Replicas;

        long now;
        for (now = 0; now < horizon; now++)
        {
            if ((now & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            deployment.Advance(now);
            var arrived = now < arrivals.Length ? arrivals[(int)now] : 0;
            work.Arrive(now, arrived);
            work.Work(now, deployment.Ready, rate, workload.ConcurrencyPerReplica);
            signal.Observe(now, arrived);

            double? metric = options.ScalerDown(now) ? null : signal.Metric(work);
            var recentArrival = signal.ArrivedWithinWindow(now);

            if (Due(now, cluster.HpaSyncPeriodSeconds, options.HpaPhaseSeconds))
            {
                // At zero replicas the HPA stops before reading metrics (ScalingDisabled), so no scaler call is made.
                double? hpaMetric = deployment.Replicas == 0
                    ? null
                    : scaling.UseCachedMetrics ? lastPoll?.Metric : trigger.Read(metric, deployment.Replicas, recentArrival).Metric;
                var sync = hpa.Reconcile(now, deployment.Replicas, deployment.Replicas, hpaMetric, scaling.TargetPerReplica);
                if (sync.Outcome == HpaOutcome.Rescaled)
                {
                    events.Add(new ScalingEvent(now, ScalingActor.Hpa, sync.Current, sync.Desired, sync.Metric, DescribeHpa(sync, scaling.TargetPerReplica, signal.MetricName)));
                    deployment.Scale(now, sync.Desired);
                }
            }

            if (queue.UsesPushScaler && metric is { } pushed && (pushed > scaling.ActivationThreshold || recentArrival))
            {
                var poll = keda.RequestScale(now, deployment.Replicas, new TriggerReading(true, false, pushed, false));
                if (poll.To != poll.From)
                {
                    events.Add(new ScalingEvent(now, ScalingActor.KedaPush, poll.From, poll.To, pushed, DescribePush(pushed, recentArrival, scaling)));
                    deployment.Scale(now, poll.To);
                }
            }

            if (Due(now, scaling.PollingIntervalSeconds, options.KedaPhaseSeconds))
            {
                var reading = trigger.Read(metric, deployment.Replicas, recentArrival);
                lastPoll = reading;
                var poll = keda.RequestScale(now, deployment.Replicas, reading);
                if (poll.To != poll.From)
                {
                    events.Add(new ScalingEvent(now, ScalingActor.Keda, poll.From, poll.To, reading.Metric, DescribeKeda(poll, reading, scaling)));
                    deployment.Scale(now, poll.To);
                }
            }

            series.Record(now, arrived, work.Waiting, work.InFlight, work.OldestWait(now), deployment.Replicas, deployment.Ready);
            replicaSeconds += deployment.Replicas;
            secondsAtZero += deployment.Replicas == 0 ? 1 : 0;
            peakReplicas = Math.Max(peakReplicas, deployment.Replicas);

            if (now >= arrivals.Length && work.Waiting <= 0 && work.Held <= 1e-9 && deployment.Replicas == scaling.MinReplicas)
            {
                now++;
                break;
            }
        }

        var unserved = work.Abandon(now);
        series.Trim();
        var summary = Summarize(queue, work, series, events.Count, replicaSeconds, peakReplicas, secondsAtZero, unserved);
        return new QueueRun(queue, summary, series, events);
    }

    private static bool Due(long now, int period, int phase) => now >= phase && (now - phase) % period == 0;

    private static QueueSummary Summarize(
        QueuePolicy queue, WorkBacklog work, QueueSeries series, int changes, long replicaSeconds, int peakReplicas, long secondsAtZero, double unserved)
    {
        var peak = 0f;
        var peakAt = 0L;
        for (var i = 0; i < series.Length; i++)
        {
            if (series.Backlog[i] > peak)
            {
                (peak, peakAt) = (series.Backlog[i], i);
            }
        }

        long? drain = null;
        if (peak > 0)
        {
            for (var i = (int)peakAt; i < series.Length; i++)
            {
                if (series.Backlog[i] <= 0)
                {
                    drain = i - peakAt;
                    break;
                }
            }
        }

        var waits = work.Waits;
        var slo = queue.Slo.QueueWaitSeconds;
        return new QueueSummary(
            work.Arrived,
            unserved,
            waits.Percentile(0.50),
            waits.Percentile(0.95),
            waits.Percentile(ServiceLevel.Percentile),
            waits.MaxSeconds,
            peak,
            peakAt,
            drain,
            replicaSeconds,
            peakReplicas,
            waits.Above(slo),
            slo,
            work.Interrupted,
            changes,
            secondsAtZero,
            series.Length);
    }

    private static string DescribeHpa(HpaSync sync, int target, string metricName)
    {
        var proposal = sync.Proposed is { } p && sync.Metric is { } m
            ? $"{metricName} {m:0} / target {target} → proposes {p}; "
            : string.Empty;
        return $"{proposal}{sync.Reason}";
    }

    private static string DescribeKeda(KedaPoll poll, TriggerReading reading, ScalingSettings scaling) => poll.Action switch
    {
        KedaAction.Activated when reading.FallbackActive =>
            $"fallback is active after more than {scaling.Fallback?.FailureThreshold} failed reads: scales from zero to max(min, 1)",
        KedaAction.Activated when reading.Metric <= scaling.ActivationThreshold =>
            $"an item arrived within the activation window: scales from zero to max(min, 1)",
        KedaAction.Activated =>
            $"metric {reading.Metric:0} > activation threshold {scaling.ActivationThreshold}: scales from zero to max(min, 1)",
        KedaAction.Deactivated =>
            $"metric at or below activation threshold {scaling.ActivationThreshold}, no arrival within the activation window, and cooldown {scaling.CooldownSeconds} s has passed since the last active poll: scales to zero",
        _ => poll.Reason,
    };

    private static string DescribePush(double metric, bool recentArrival, ScalingSettings scaling) =>
        metric > scaling.ActivationThreshold
            ? $"the push scaler streams active (metric {metric:0} > activation threshold {scaling.ActivationThreshold}) at once: scales from zero to max(min, 1)"
            : recentArrival
                ? "the push scaler streams active (an item arrived within the activation window) at once: scales from zero to max(min, 1)"
                : "the push scaler streams active: scales from zero to max(min, 1)";
}

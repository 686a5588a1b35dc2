using System.Globalization;
using Serverless.Catalog;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Lint;

/// <summary>
/// Checks a loaded policy for settings that parse but will hurt: each finding says what will happen, cites
/// the KEDA/HPA rule behind it (platform-semantics sections) and how to fix it. Errors make
/// <c>serverless scalers lint</c> exit non-zero; warnings are advice. A policy that does not scale exactly what the
/// catalogs deploy is an error too (<see cref="CatalogChecks"/>).
/// </summary>
public static class PolicyLinter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <param name="policy">The loaded policy.</param>
    /// <param name="environment">Only this environment; all when null.</param>
    /// <param name="catalog">What is deployed, which the policy must scale exactly (<see cref="CatalogChecks"/>); the shipped catalogs when null.</param>
    public static IReadOnlyList<Diagnostic> Lint(ScalerPolicy policy, string? environment = null, ServiceCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var findings = new DiagnosticBag();
        CatalogChecks.Check(policy, catalog ?? ServiceCatalog.Shipped, environment, findings);
        foreach (var env in policy.Environments.Where(e => environment is null || e.Name == environment))
        {
            TemporalRateBudget(env, findings);
            foreach (var queue in env.Queues)
            {
                var check = new QueueCheck(env, queue, findings);
                check.ActivationBelowTarget();
                check.ActivationIgnoredOrStranding();
                check.CooldownCoversLongestTask();
                check.PendingAloneCannotWake();
                check.PushReadsLag();
                check.WorkReadsLagAndPending();
                check.ExplicitBehavior();
                check.WorkflowWorkerFloor();
                check.Fallback();
                check.WakeUpWithinSlo();
                check.ScaleToZeroUnderSteadyLoad();
                check.ActivationWindowCoversGaps();
                check.Peak();
            }
        }

        return findings.Sorted();
    }

    /// <summary>
    /// workers/Serverless.Scaler re-checks an open push stream every <c>Scaler:RecheckInterval</c> (2 s by
    /// default): one DescribeTaskQueue per queue type each time, besides the reads KEDA asks for.
    /// </summary>
    public const int PushScalerRecheckSeconds = 2;

    /// <summary>
    /// §1.2/§3.4: each built-in temporal trigger calls DescribeTaskQueue once per queue type on every operator poll
    /// and, unless useCachedMetrics, again on every HPA sync; all queues of an environment share its namespace.
    /// §5.2: a push-scaler trigger is asked GetMetrics and IsActive (two reads) on each of those, and the push
    /// scaler also re-reads every open stream each <see cref="PushScalerRecheckSeconds"/>.
    /// </summary>
    private static void TemporalRateBudget(EnvironmentPolicy env, DiagnosticBag findings)
    {
        if (env.Temporal is not { } temporal)
        {
            return;
        }

        var queues = env.Queues.Where(q => q.Source is TemporalQueueSource).ToList();
        double Rate(QueuePolicy q)
        {
            var reads = (1.0 / q.Scaling.PollingIntervalSeconds) + (q.Scaling.UseCachedMetrics ? 0 : 1.0 / env.Cluster.HpaSyncPeriodSeconds);
            var perType = q.UsesPushScaler ? (2 * reads) + (1.0 / PushScalerRecheckSeconds) : reads;
            return ((TemporalQueueSource)q.Source).QueueTypes.Count * perType;
        }

        var total = queues.Sum(Rate);
        if (total <= temporal.RateBudgetPerSecond)
        {
            return;
        }

        var parts = string.Join(", ", queues.Select(q => $"{q.Name} {Rate(q).ToString("0.##", Invariant)}/s"));
        findings.Error("temporal-rate-budget", temporal.Location, "connections.temporal.rateBudgetPerSecond",
            $"the scalers call DescribeTaskQueue {total.ToString("0.##", Invariant)} times/s on namespace {temporal.Namespace} ({parts}), above the budget of {temporal.RateBudgetPerSecond.ToString("0.##", Invariant)}/s (one call per queue type per KEDA poll, and per HPA sync unless useCachedMetrics; twice each for a push-scaler trigger, plus its re-check every {PushScalerRecheckSeconds} s)",
            "raise pollingIntervalSeconds, set useCachedMetrics: true, list only the queue types each Deployment polls, or raise the budget if the namespace allows it", env.Name);
    }

    private sealed class QueueCheck(EnvironmentPolicy env, QueuePolicy queue, DiagnosticBag findings)
    {
        private ScalingSettings Scaling => queue.Scaling;

        private WorkloadProfile Workload => queue.Workload;

        private bool ScalesToZero => Scaling.MinReplicas == 0;

        public void ActivationBelowTarget()
        {
            if (Scaling.ActivationThreshold >= Scaling.TargetPerReplica)
            {
                Error("activation-not-below-target", "activationThreshold",
                    $"activationThreshold {Scaling.ActivationThreshold} is not below targetPerReplica {Scaling.TargetPerReplica}: the pool only wakes once the backlog is more than a full replica's worth, and that much work waits with nobody serving it (KEDA activates on metric > threshold, §1.2)",
                    $"set activationThreshold below {Scaling.TargetPerReplica}, usually 0");
            }
        }

        public void ActivationIgnoredOrStranding()
        {
            if (!ScalesToZero && Scaling.ActivationThreshold > 0)
            {
                Warning("activation-ignored", "activationThreshold",
                    $"with minReplicas {Scaling.MinReplicas} the pool never sleeps, so activationThreshold {Scaling.ActivationThreshold} has no effect (§1.2)",
                    "remove activationThreshold, or set minReplicas: 0 if the pool may sleep");
            }
            else if (ScalesToZero && Scaling.ActivationThreshold > 0 && Scaling.ActivationThreshold < Scaling.TargetPerReplica)
            {
                Warning("activation-strands-items", "activationThreshold",
                    $"at zero replicas up to {Scaling.ActivationThreshold} items can wait with no worker until more arrive (active only when backlog > {Scaling.ActivationThreshold}, §1.2)",
                    "set activationThreshold: 0 unless a short wait for a batch is acceptable");
            }
        }

        public void CooldownCoversLongestTask()
        {
            // The work signal counts work in flight, so the pool stays active while a task runs.
            if (ScalesToZero && queue.Signal == ScalingSignal.Backlog && Scaling.CooldownSeconds < Workload.LongestTaskSeconds)
            {
                Error("cooldown-shorter-than-task", "cooldownSeconds",
                    $"cooldownSeconds {Scaling.CooldownSeconds} is shorter than the longest task ({Workload.LongestTaskSeconds} s): the backlog metric does not count work in flight, so KEDA can scale the pool to zero while a task is still running (§1.3, §3.4, §4.3)",
                    $"set cooldownSeconds to at least {Workload.LongestTaskSeconds} (plus heartbeat gaps), and drain on SIGTERM");
            }
        }

        public void PendingAloneCannotWake()
        {
            if (queue.Signal == ScalingSignal.Work || queue.Source is not RedisStreamSource { Metric: StreamMetric.Pending })
            {
                return;
            }

            const string message = "pendingEntriesCount counts entries already read and not acknowledged; with no consumer nothing is read, so the metric stays 0 while unread entries pile up (§4.3)";
            const string fix = "use metric: lag (lagCount, Redis ≥ 7), the only mode that can wake a consumer from zero";
            if (ScalesToZero)
            {
                Error("pending-cannot-wake", "metric", message + ": this consumer would never wake from zero", fix);
            }
            else
            {
                Warning("pending-hides-backlog", "metric", message + ": unread entries never add replicas", fix);
            }
        }

        /// <summary>§5: the push scaler measures a stream by its group's lag only (workers/Serverless.Scaler).</summary>
        public void PushReadsLag()
        {
            if (queue.Signal == ScalingSignal.Backlog && queue.Activation == TriggerActivation.Push && queue.Source is RedisStreamSource { Metric: StreamMetric.Pending })
            {
                Error("push-needs-lag", "activation",
                    "activation: push measures a stream by its consumer group's lag; the push scaler has no pending-entries mode, so this queue's metric would change meaning",
                    "use metric: lag with activation: push, or activation: poll");
            }
        }

        /// <summary>WORK-SIGNAL-CONTRACT: on the work signal a stream's metric is its group's lag + pending, whatever 'metric' says.</summary>
        public void WorkReadsLagAndPending()
        {
            if (queue.Signal == ScalingSignal.Work && queue.Source is RedisStreamSource { Metric: StreamMetric.Pending })
            {
                Warning("metric-ignored-by-work", "metric",
                    "signal: work measures a stream by its group's lag + pending entries; metric: pending has no effect and reads as if it did",
                    "remove 'metric' (or write metric: lag) on a queue with signal: work");
            }
        }

        public void ExplicitBehavior()
        {
            if (Scaling.Behavior is null)
            {
                Warning("no-explicit-behavior", "behavior",
                    "no HPA behaviour: KEDA's HPA then takes the legacy path, scale-up capped at max(2 × current, 4) per 15 s sync and a fixed 5-minute scale-down window (§2.4, §10.4)",
                    "state behavior.scaleUp and behavior.scaleDown (policies, stabilizationWindowSeconds) for a predictable ramp");
            }
            else if (Scaling.Behavior.ScaleUp?.SelectPolicy == SelectPolicy.Disabled)
            {
                Warning("scale-up-disabled", "behavior.scaleUp.selectPolicy",
                    $"scale-up is disabled: the HPA never goes above max(minReplicas, 1) = {Math.Max(Scaling.MinReplicas, 1)}, whatever the backlog (§2.5)",
                    "use selectPolicy: Max (or Min) with a scale-up policy");
            }
        }

        public void WorkflowWorkerFloor()
        {
            if (queue.Source is TemporalQueueSource { PollsWorkflowTasks: true } && ScalesToZero)
            {
                Error("workflow-worker-at-zero", "minReplicas",
                    "a workflow worker at zero replicas loses its sticky cache and only wakes after a poll interval plus start-up, for every workflow step; and workflow task backlog excludes sticky queues (§3.4, architecture §9)",
                    "set minReplicas: 1 for a Deployment that polls workflow tasks");
            }
        }

        public void Fallback()
        {
            if (Scaling.Fallback is null)
            {
                Warning("no-fallback", "fallback",
                    "no fallback: while the scaler cannot read its metric, KEDA stops scaling (Ready=False) and the HPA keeps the current count, possibly zero (§1.3, §1.4)",
                    "add fallback: {failureThreshold: 3, replicas: <a count that serves normal load>}");
            }
            else if (Scaling.Fallback.Replicas == 0 && ScalesToZero)
            {
                Warning("fallback-to-zero", "fallback.replicas",
                    "fallback.replicas 0 lets KEDA scale the pool to zero after cooldown while the scaler is failing, and the fallback metric then asks for nothing (§1.3)",
                    "set fallback.replicas to the count that serves normal load");
            }
        }

        public void WakeUpWithinSlo()
        {
            if (!ScalesToZero)
            {
                return;
            }

            if (queue.UsesPushScaler && Workload.StartupSeconds > queue.Slo.QueueWaitSeconds)
            {
                Warning("wake-up-exceeds-slo", "workload.startupSeconds",
                    $"from zero, the first item waits up to {Workload.StartupSeconds} s (the push scaler wakes the pool at once, then start-up {Workload.StartupSeconds} s, §5.2, §10.1), longer than the SLO of {queue.Slo.QueueWaitSeconds} s",
                    "shorten start-up, raise the SLO, or keep minReplicas: 1");
            }
            else if (!queue.UsesPushScaler && Scaling.PollingIntervalSeconds + Workload.StartupSeconds > queue.Slo.QueueWaitSeconds)
            {
                var wake = Scaling.PollingIntervalSeconds + Workload.StartupSeconds;
                Warning("wake-up-exceeds-slo", "pollingIntervalSeconds",
                    $"from zero, the first item waits up to {wake} s (polling {Scaling.PollingIntervalSeconds} s + start-up {Workload.StartupSeconds} s, §10.1), longer than the SLO of {queue.Slo.QueueWaitSeconds} s",
                    "shorten pollingIntervalSeconds or start-up, raise the SLO, use activation: push or signal: work, or keep minReplicas: 1");
            }
        }

        /// <summary>
        /// §3.4/§10.3: the backlog (or lag) reads 0 whenever the replicas keep up, because work in flight is not
        /// counted. If items arrive within every cooldown even at the quietest hour, KEDA still scales the pool to
        /// zero after each cooldown, and each wake-up costs polling + start-up of wait.
        /// </summary>
        public void ScaleToZeroUnderSteadyLoad()
        {
            if (!ScalesToZero || queue.Signal == ScalingSignal.Work || queue.Source is RedisStreamSource { Metric: StreamMetric.Pending })
            {
                return;
            }

            var perCooldown = QuietestItemsPerSecond * Scaling.CooldownSeconds;
            if (perCooldown < 1)
            {
                return;
            }

            Warning("scale-to-zero-under-load", "minReplicas",
                $"even at the quietest hour about {F(perCooldown)} items arrive per cooldown ({F(QuietestItemsPerSecond)}/s), yet the metric reads 0 whenever the replicas keep up (work in flight is not counted), so KEDA scales the pool to zero after every cooldown and each wake-up makes items wait up to {Scaling.PollingIntervalSeconds + Workload.StartupSeconds} s (§3.4, §10.3)",
                "use signal: work (outstanding work and an activation window keep the pool up while items arrive), or set minReplicas: 1 for this environment; 'serverless simulate --compare-signals' shows the waits and replica-hours of both");
        }

        /// <summary>
        /// On the work signal the pool is active while work is outstanding or an item arrived within the window.
        /// Under steady traffic (items within every cooldown) a window shorter than the gap between items at the
        /// quietest hour leaves the pool inactive between items: it then stays up only while some read happens
        /// to catch an item waiting or in flight, or while the cooldown bridges the gap.
        /// </summary>
        public void ActivationWindowCoversGaps()
        {
            var perCooldown = QuietestItemsPerSecond * Scaling.CooldownSeconds;
            if (!ScalesToZero || queue.Signal != ScalingSignal.Work || perCooldown < 1)
            {
                return;
            }

            var gap = (int)Math.Ceiling(1 / QuietestItemsPerSecond);
            var taskSeconds = Workload.ConcurrencyPerReplica / Workload.ServiceRatePerReplica;
            if (queue.ActivationWindowSeconds == 0)
            {
                Warning("activation-window-zero", "activationWindowSeconds",
                    $"with activationWindowSeconds 0 the queue is active only while an item is waiting or in flight; at the quietest hour an item arrives every {gap} s and takes about {F(taskSeconds)} s, so most reads (every {Scaling.PollingIntervalSeconds} s) see nothing and the pool can be put to sleep under steady traffic ({F(perCooldown)} items per cooldown)",
                    $"set activationWindowSeconds to at least the gap between items at the quietest hour ({gap} s); 120 is the shipped default");
            }
            else if (queue.ActivationWindowSeconds < gap)
            {
                Warning("activation-window-below-gap", "activationWindowSeconds",
                    $"activationWindowSeconds {queue.ActivationWindowSeconds} is shorter than the gap between items at the quietest hour ({gap} s, {F(QuietestItemsPerSecond)} items/s): between items the queue reads inactive and only the cooldown of {Scaling.CooldownSeconds} s keeps the pool up",
                    $"raise activationWindowSeconds to at least {gap}");
            }
        }

        /// <summary>The cosine day's lowest rate for this queue: mean × (2 − peakToMean) × itemsPerOrder.</summary>
        private double QuietestItemsPerSecond => env.Traffic.MeanOrdersPerSecond * (2 - env.Traffic.PeakToMeanRatio) * Workload.ItemsPerOrder;

        /// <summary>
        /// The declared peak: capacity at maxReplicas first, then the simulated p99 wait from idle against the SLO.
        /// At full scale the HPA holds about maxReplicas × target items as "normal" backlog, i.e. target / rate seconds of wait.
        /// </summary>
        public void Peak()
        {
            var rate = env.Traffic.PeakOrdersPerSecond * Workload.ItemsPerOrder;
            if (rate <= 0)
            {
                return;
            }

            var capacity = Scaling.MaxReplicas * Workload.ServiceRatePerReplica;
            var needed = (int)Math.Ceiling(rate / Workload.ServiceRatePerReplica);
            if (capacity < rate)
            {
                Error("peak-capacity", "maxReplicas",
                    $"at the declared peak ({F(rate)} items/s = {F(env.Traffic.PeakOrdersPerSecond)} orders/s × {F(Workload.ItemsPerOrder)}) maxReplicas {Scaling.MaxReplicas} × {F(Workload.ServiceRatePerReplica)} items/s per replica = {F(capacity)} items/s cannot keep up: the backlog grows without bound",
                    $"raise maxReplicas to at least {needed} (more for headroom), or raise serviceRatePerReplica by giving each replica more slots");
                return;
            }

            var check = PeakCheck.Run(env, queue);
            if (check.Result.P99WaitSeconds <= queue.Slo.QueueWaitSeconds)
            {
                return;
            }

            var steadyWait = Scaling.TargetPerReplica / Workload.ServiceRatePerReplica;
            var wake = (queue.UsesPushScaler ? 0 : Scaling.PollingIntervalSeconds) + Workload.StartupSeconds;
            string fix;
            if (check.Result.PeakReplicas == 0 || check.Result.ItemsUnserved > 0)
            {
                fix = $"items are left with no replica to serve them: the metric never rises above activationThreshold {Scaling.ActivationThreshold} for long enough (see the activation and metric findings); use activationThreshold: 0 and a metric that sees unread work";
            }
            else if (steadyWait > queue.Slo.QueueWaitSeconds)
            {
                fix = $"lower targetPerReplica: the HPA settles near target / rate = {F(steadyWait)} s of wait per item";
            }
            else if (ScalesToZero && wake >= queue.Slo.QueueWaitSeconds)
            {
                fix = $"waking from zero takes up to {wake} s: shorten pollingIntervalSeconds or start-up, or keep minReplicas ≥ 1";
            }
            else
            {
                fix = $"ramp faster: raise the scaleUp policy (the peak needs about {needed} replica(s)) or maxReplicas";
            }

            Error("peak-slo", "slo.queueWaitSeconds",
                $"at the declared peak ({F(check.ItemsPerSecond)} items/s for {check.Seconds / 60} min, from idle) the simulated p99 queue wait is {check.Result.P99WaitSeconds} s, above the SLO of {queue.Slo.QueueWaitSeconds} s (peak backlog {F(check.Result.PeakBacklog)} items, {check.Result.PeakReplicas} replicas at most; maxReplicas × target = {Scaling.MaxReplicas * Scaling.TargetPerReplica} items)",
                fix);
        }

        private void Error(string code, string field, string message, string fix) =>
            findings.Error(code, queue.Locations.Of(field), $"queues.{queue.Name}.{field}", message, fix, env.Name);

        private void Warning(string code, string field, string message, string fix) =>
            findings.Warning(code, queue.Locations.Of(field), $"queues.{queue.Name}.{field}", message, fix, env.Name);

        private static string F(double value) => value.ToString("0.##", Invariant);
    }
}

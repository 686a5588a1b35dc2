namespace Serverless.Scaling.Autoscaling;

public enum HpaOutcome
{
    /// <summary>Target at 0 replicas: <c>ScalingActive=False/ScalingDisabled</c>, KEDA owns 0↔1 (§1.3, §2.3).</summary>
    Disabled,

    /// <summary>The only metric failed: <c>FailedGetExternalMetric</c>, nothing changes (§2.2).</summary>
    MetricUnavailable,

    NoChange,
    Rescaled,
}

/// <summary>One HPA sync: what it read, what it proposed and why it ended where it did.</summary>
public sealed record HpaSync(
    long At,
    HpaOutcome Outcome,
    int Current,
    int Desired,
    double? Metric,
    int? Proposed,
    int? Stabilized,
    string Reason);

/// <summary>
/// The HPA controller KEDA creates for a ScaledObject (<c>keda-hpa-&lt;name&gt;</c>), reduced to what one
/// external AverageValue metric needs, with the controller's in-memory state: stored recommendations and,
/// when a behaviour is set, scale events. Sources: kubernetes <c>horizontal.go</c> <c>reconcileAutoscaler</c>,
/// <c>normalizeDesiredReplicas(WithBehaviors)</c>, <c>replica_calculator.go</c>; platform-semantics §2.
/// Time is in whole seconds since the start of the run; "after the cutoff" comparisons are strict as in Go.
/// </summary>
public sealed class HorizontalPodAutoscalerModel
{
    // §2.4: scaleUpLimitFactor = 2.0, scaleUpLimitMinimum = 4.0 in the legacy path.
    private const double ScaleUpLimitFactor = 2.0;
    private const double ScaleUpLimitMinimum = 4.0;

    private readonly EffectiveBehavior? behavior;
    private readonly Tolerances tolerances;
    private readonly int downscaleStabilizationSeconds;
    private readonly List<Timed> recommendations = [];
    private readonly List<Timed> scaleUpEvents = [];
    private readonly List<Timed> scaleDownEvents = [];

    public HorizontalPodAutoscalerModel(int minReplicaCount, int maxReplicaCount, HpaBehavior? behavior, ClusterSettings cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        // §1.2: KEDA creates the HPA with minReplicas = max(minReplicaCount, 1) and maxReplicas = maxReplicaCount.
        MinReplicas = Math.Max(minReplicaCount, 1);
        MaxReplicas = maxReplicaCount;
        this.behavior = behavior?.WithDefaults(cluster);
        tolerances = Tolerances.For(behavior, cluster);
        downscaleStabilizationSeconds = cluster.DownscaleStabilizationSeconds;
    }

    public int MinReplicas { get; }

    public int MaxReplicas { get; }

    /// <summary>
    /// One reconcile. <paramref name="currentReplicas"/> is the target's <c>spec.replicas</c>,
    /// <paramref name="statusReplicas"/> its <c>status.replicas</c>, <paramref name="metric"/> the external
    /// metric (null when the scaler failed and no fallback applies).
    /// </summary>
    public HpaSync Reconcile(long now, int currentReplicas, int statusReplicas, double? metric, double targetPerReplica)
    {
        // recordInitialRecommendation: the first sync remembers the current count as a recommendation.
        if (recommendations.Count == 0)
        {
            recommendations.Add(new Timed(currentReplicas, now));
        }

        if (currentReplicas == 0)
        {
            return new HpaSync(now, HpaOutcome.Disabled, 0, 0, metric, null, null, "scaling is disabled since the replica count of the target is zero");
        }

        int desired;
        int? proposed = null;
        int? stabilized = null;
        string reason;
        if (currentReplicas > MaxReplicas)
        {
            (desired, reason) = (MaxReplicas, "current number of replicas above maxReplicas");
        }
        else if (currentReplicas < MinReplicas)
        {
            (desired, reason) = (MinReplicas, "current number of replicas below minReplicas");
        }
        else
        {
            if (metric is not { } usage)
            {
                return new HpaSync(now, HpaOutcome.MetricUnavailable, currentReplicas, currentReplicas, null, null, null, "FailedGetExternalMetric: the scaler returned an error");
            }

            var raw = ExternalMetricProposal.AverageValue(usage, targetPerReplica, statusReplicas, tolerances);
            proposed = raw;
            (stabilized, desired, reason) = behavior is null
                ? NormalizeWithoutBehavior(now, currentReplicas, raw)
                : NormalizeWithBehavior(now, currentReplicas, raw, behavior);
        }

        if (desired == currentReplicas)
        {
            return new HpaSync(now, HpaOutcome.NoChange, currentReplicas, desired, metric, proposed, stabilized, reason);
        }

        StoreScaleEvent(now, currentReplicas, desired);
        return new HpaSync(now, HpaOutcome.Rescaled, currentReplicas, desired, metric, proposed, stabilized, reason);
    }

    /// <summary>§2.4: max over the 5-minute window, then clamp to [min, min(max, max(2 × current, 4))].</summary>
    private (int Stabilized, int Desired, string Reason) NormalizeWithoutBehavior(long now, int current, int proposed)
    {
        var cutoff = now - downscaleStabilizationSeconds;
        var stabilized = proposed;
        var oldIndex = -1;
        for (var i = 0; i < recommendations.Count; i++)
        {
            if (recommendations[i].At < cutoff)
            {
                oldIndex = i;
            }
            else if (recommendations[i].Value > stabilized)
            {
                stabilized = recommendations[i].Value;
            }
        }

        Remember(recommendations, oldIndex, new Timed(proposed, now));

        var scaleUpLimit = (int)Math.Max(ScaleUpLimitFactor * current, ScaleUpLimitMinimum);
        var maximumAllowed = MaxReplicas > scaleUpLimit ? scaleUpLimit : MaxReplicas;
        var limitReason = MaxReplicas > scaleUpLimit
            ? $"ScaleUpLimit: at most max(2 × {current}, 4) = {scaleUpLimit} per sync without a behaviour"
            : $"TooManyReplicas: capped at maxReplicas {MaxReplicas}";
        var window = stabilized != proposed ? $"; highest recommendation in the last {downscaleStabilizationSeconds} s is {stabilized}" : string.Empty;

        if (stabilized < MinReplicas)
        {
            return (stabilized, MinReplicas, $"TooFewReplicas: raised to minReplicas {MinReplicas}{window}");
        }

        return stabilized > maximumAllowed
            ? (stabilized, maximumAllowed, limitReason + window)
            : (stabilized, stabilized, "desired within range" + window);
    }

    /// <summary>§2.5: stabilise between the lowest recent (up window) and highest recent (down window) recommendation, then rate-limit.</summary>
    private (int Stabilized, int Desired, string Reason) NormalizeWithBehavior(long now, int current, int proposed, EffectiveBehavior rules)
    {
        var upCutoff = now - rules.ScaleUp.StabilizationWindowSeconds;
        var downCutoff = now - rules.ScaleDown.StabilizationWindowSeconds;
        var upRecommendation = proposed;
        var downRecommendation = proposed;
        var oldIndex = -1;
        for (var i = 0; i < recommendations.Count; i++)
        {
            var rec = recommendations[i];
            if (rec.At > upCutoff)
            {
                upRecommendation = Math.Min(rec.Value, upRecommendation);
            }

            if (rec.At > downCutoff)
            {
                downRecommendation = Math.Max(rec.Value, downRecommendation);
            }

            if (rec.At < upCutoff && rec.At < downCutoff)
            {
                oldIndex = i;
            }
        }

        var stabilized = current;
        if (stabilized < upRecommendation)
        {
            stabilized = upRecommendation;
        }

        if (stabilized > downRecommendation)
        {
            stabilized = downRecommendation;
        }

        Remember(recommendations, oldIndex, new Timed(proposed, now));

        var window = stabilized == proposed
            ? string.Empty
            : proposed >= current
                ? $"; lowest recommendation in the last {rules.ScaleUp.StabilizationWindowSeconds} s is {stabilized} (ScaleUpStabilized)"
                : $"; highest recommendation in the last {rules.ScaleDown.StabilizationWindowSeconds} s is {stabilized} (ScaleDownStabilized)";

        if (stabilized > current)
        {
            var upLimit = Math.Max(RateLimit(now, current, rules.ScaleUp, up: true), current);
            var maximumAllowed = MaxReplicas > upLimit ? upLimit : MaxReplicas;
            if (stabilized > maximumAllowed)
            {
                var why = MaxReplicas > upLimit
                    ? $"ScaleUpLimit: scaleUp policies ({Describe(rules.ScaleUp)}) allow {upLimit}"
                    : $"TooManyReplicas: capped at maxReplicas {MaxReplicas}";
                return (stabilized, maximumAllowed, why + window);
            }
        }
        else if (stabilized < current)
        {
            var downLimit = Math.Min(RateLimit(now, current, rules.ScaleDown, up: false), current);
            var minimumAllowed = MinReplicas < downLimit ? downLimit : MinReplicas;
            if (stabilized < minimumAllowed)
            {
                var why = MinReplicas < downLimit
                    ? $"ScaleDownLimit: scaleDown policies ({Describe(rules.ScaleDown)}) allow {downLimit}"
                    : $"TooFewReplicas: raised to minReplicas {MinReplicas}";
                return (stabilized, minimumAllowed, why + window);
            }
        }

        return (stabilized, stabilized, "desired within range" + window);
    }

    /// <summary>
    /// <c>calculateScaleUpLimitWithScalingRules</c> / <c>calculateScaleDownLimitWithBehaviors</c>: each policy
    /// proposes a bound from the replica count at the start of its period (current − added + removed within it);
    /// <c>Max</c> takes the policy allowing the largest change, <c>Min</c> the smallest, <c>Disabled</c> none.
    /// Percent rounds up when scaling up and down (Go's int32 conversion) when scaling down.
    /// </summary>
    private int RateLimit(long now, int current, EffectiveScalingRules rules, bool up)
    {
        if (rules.SelectPolicy == SelectPolicy.Disabled)
        {
            return current;
        }

        var higherBound = (rules.SelectPolicy == SelectPolicy.Max) == up;
        var result = higherBound ? int.MinValue : int.MaxValue;
        foreach (var policy in rules.Policies)
        {
            var periodStart = current - ChangeInPeriod(now, policy.PeriodSeconds, scaleUpEvents) + ChangeInPeriod(now, policy.PeriodSeconds, scaleDownEvents);
            var proposed = (up, policy.Type) switch
            {
                (true, ScalingPolicyType.Pods) => periodStart + policy.Value,
                (true, _) => (int)Math.Ceiling(periodStart * (1 + (policy.Value / 100.0))),
                (false, ScalingPolicyType.Pods) => periodStart - policy.Value,
                (false, _) => (int)(periodStart * (1 - (policy.Value / 100.0))),
            };
            result = higherBound ? Math.Max(result, proposed) : Math.Min(result, proposed);
        }

        return result;
    }

    private static int ChangeInPeriod(long now, int periodSeconds, List<Timed> events)
    {
        var cutoff = now - periodSeconds;
        var sum = 0;
        foreach (var e in events)
        {
            if (e.At > cutoff)
            {
                sum += e.Value;
            }
        }

        return sum;
    }

    /// <summary><c>storeScaleEvent</c>: only with a behaviour; an event older than the longest policy period is reused.</summary>
    private void StoreScaleEvent(long now, int previous, int next)
    {
        if (behavior is null)
        {
            return;
        }

        var (events, rules, change) = next > previous
            ? (scaleUpEvents, behavior.ScaleUp, next - previous)
            : (scaleDownEvents, behavior.ScaleDown, previous - next);
        var cutoff = now - rules.LongestPeriodSeconds;
        var oldIndex = -1;
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].At < cutoff)
            {
                oldIndex = i;
            }
        }

        Remember(events, oldIndex, new Timed(change, now));
    }

    private static void Remember(List<Timed> list, int reusableIndex, Timed item)
    {
        if (reusableIndex >= 0)
        {
            list[reusableIndex] = item;
        }
        else
        {
            list.Add(item);
        }
    }

    private static string Describe(EffectiveScalingRules rules) =>
        string.Join(", ", rules.Policies.Select(p => $"{p.Type} {p.Value}/{p.PeriodSeconds}s")) + $", selectPolicy {rules.SelectPolicy}";

    private readonly record struct Timed(int Value, long At);
}

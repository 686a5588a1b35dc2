namespace Serverless.Scaling.Autoscaling;

/// <summary>What KEDA makes of one scaler read: activity, error, and the value handed on.</summary>
public readonly record struct TriggerReading(bool IsActive, bool IsError, double? Metric, bool FallbackActive);

/// <summary>
/// One KEDA trigger with its fallback health counter. The same counter is moved by the operator's polls
/// and by the HPA's metric reads (both go through <c>GetMetricsWithFallback</c>, platform-semantics §1.4):
/// a success resets it, each error adds one, and once it exceeds <c>failureThreshold</c> the metric becomes
/// target × R and the trigger counts as active (since v2.19 this also wakes a target from zero).
/// </summary>
public sealed class ScalerTrigger(double targetPerReplica, double activationThreshold, FallbackSettings? fallback)
{
    private int failures;

    public double TargetPerReplica { get; } = targetPerReplica;

    /// <param name="metric">The scaler's value, or null when the scaler call failed.</param>
    /// <param name="currentReplicas">The target's current <c>spec.replicas</c> (for the currentReplicas* behaviours).</param>
    /// <param name="recentArrival">The work signal's activation window: an item arrived recently, so the scaler reports active.</param>
    public TriggerReading Read(double? metric, int currentReplicas, bool recentArrival = false)
    {
        if (metric is { } value)
        {
            failures = 0;
            // §1.2: a scaler is active when its metric is strictly above the activation threshold.
            return new TriggerReading(value > activationThreshold || recentArrival, false, value, false);
        }

        if (fallback is null)
        {
            return new TriggerReading(false, true, null, false);
        }

        failures++;
        if (failures > fallback.FailureThreshold)
        {
            return new TriggerReading(true, false, TargetPerReplica * fallback.ReplicasFor(currentReplicas), true);
        }

        return new TriggerReading(false, true, null, false);
    }
}

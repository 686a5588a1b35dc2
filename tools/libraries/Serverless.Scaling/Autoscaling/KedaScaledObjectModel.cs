namespace Serverless.Scaling.Autoscaling;

public enum KedaAction
{
    None,

    /// <summary>0 → max(min, 1) on activity (<c>KEDAScaleTargetActivated</c>).</summary>
    Activated,

    /// <summary>N → 0 once lastActiveTime + cooldownPeriod &lt; now (<c>KEDAScaleTargetDeactivated</c>).</summary>
    Deactivated,

    /// <summary>Inactive and below minReplicaCount: set to min.</summary>
    RaisedToMin,

    /// <summary>Inactive, replicas &gt; 0, cooldown not over yet (<c>ScalerCooldown</c>).</summary>
    CoolingDown,
}

public sealed record KedaPoll(long At, KedaAction Action, int From, int To, string Reason);

/// <summary>
/// The KEDA operator's part of a ScaledObject: <c>RequestScale</c> on every polling interval
/// (kedacore/keda <c>pkg/scaling/executor/scale_scaledobjects.go</c>, platform-semantics §1.3), without idle
/// mode and pause annotations. The HPA owns 1..N; this only moves 0 ↔ max(min, 1) and N → 0.
/// </summary>
public sealed class KedaScaledObjectModel(int minReplicaCount, int cooldownSeconds, FallbackSettings? fallback)
{
    // The ScaledObject exists from the start of the run; initialCooldownPeriod defaults to 0 (§1.1).
    private const long CreationTime = 0;
    private const int InitialCooldownSeconds = 0;

    public long? LastActiveTime { get; private set; }

    public KedaPoll RequestScale(long now, int currentReplicas, TriggerReading reading)
    {
        if (reading.IsActive)
        {
            if (currentReplicas == 0)
            {
                var to = Math.Max(minReplicaCount, 1);
                LastActiveTime = now;
                return new KedaPoll(now, KedaAction.Activated, 0, to, $"metric {Format(reading.Metric)} is above the activation threshold");
            }

            if (reading.IsError)
            {
                // PartialTriggerError: lastActiveTime is not refreshed in this branch.
                return new KedaPoll(now, KedaAction.None, currentReplicas, currentReplicas, "active with a partial trigger error");
            }

            LastActiveTime = now;
            return new KedaPoll(now, KedaAction.None, currentReplicas, currentReplicas, "active; the HPA owns 1..N");
        }

        if (reading.IsError && fallback is { Replicas: not 0 })
        {
            return new KedaPoll(now, KedaAction.None, currentReplicas, currentReplicas, "scaler error: waiting for fallback after failureThreshold");
        }

        if (reading.IsError && fallback is null)
        {
            return new KedaPoll(now, KedaAction.None, currentReplicas, currentReplicas, "TriggerError: no fallback, no scaling");
        }

        if (currentReplicas > 0 && minReplicaCount == 0)
        {
            var cooled = LastActiveTime is { } last
                ? last + cooldownSeconds < now
                : CreationTime + InitialCooldownSeconds < now;
            return cooled
                ? new KedaPoll(now, KedaAction.Deactivated, currentReplicas, 0, $"inactive since the last active poll at {LastActiveTime ?? CreationTime} s and cooldown {cooldownSeconds} s has passed")
                : new KedaPoll(now, KedaAction.CoolingDown, currentReplicas, currentReplicas, "ScalerCooldown");
        }

        if (currentReplicas < minReplicaCount)
        {
            return new KedaPoll(now, KedaAction.RaisedToMin, currentReplicas, minReplicaCount, "below minReplicaCount");
        }

        return new KedaPoll(now, KedaAction.None, currentReplicas, currentReplicas, "inactive, nothing to do");
    }

    private static string Format(double? metric) => metric is { } m ? m.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}

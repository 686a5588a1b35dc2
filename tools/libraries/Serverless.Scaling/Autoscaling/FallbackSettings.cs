namespace Serverless.Scaling.Autoscaling;

public enum FallbackBehavior
{
    Static,
    CurrentReplicas,
    CurrentReplicasIfHigher,
    CurrentReplicasIfLower,
}

/// <summary><c>spec.fallback</c> of a ScaledObject (platform-semantics §1.4).</summary>
public sealed record FallbackSettings(int FailureThreshold, int Replicas, FallbackBehavior Behavior = FallbackBehavior.Static)
{
    /// <summary>The replica count R whose synthetic metric (target × R) is handed to the HPA.</summary>
    public int ReplicasFor(int currentReplicas) => Behavior switch
    {
        FallbackBehavior.CurrentReplicas => currentReplicas,
        FallbackBehavior.CurrentReplicasIfHigher => Math.Max(currentReplicas, Replicas),
        FallbackBehavior.CurrentReplicasIfLower => Math.Min(currentReplicas, Replicas),
        _ => Replicas,
    };
}

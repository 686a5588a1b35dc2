namespace Serverless.Scaling.Simulation;

public enum ScalingActor
{
    Keda,

    /// <summary>KEDA acting on an "active" streamed by the push scaler (external-push, platform-semantics §5.2).</summary>
    KedaPush,
    Hpa,
}

/// <summary>A change of <c>spec.replicas</c>, who made it, on which metric value, and why.</summary>
public sealed record ScalingEvent(long At, ScalingActor Actor, int From, int To, double? Metric, string Reason);

using Serverless.Scaling.Policy;

namespace Serverless.Local.Control;

/// <summary>
/// One queue as the live view shows it. <c>Metric</c> is what the scaler last reported: waiting work on the
/// backlog signal, waiting + in flight on the work signal.
/// </summary>
public sealed record QueueStatus(
    string Queue,
    string Deployment,
    ScalingSignal Signal,
    double? Metric,
    int DesiredReplicas,
    int RunningReplicas,
    int MinReplicas,
    int MaxReplicas,
    double? ProcessedPerSecond,
    long? InFlight,
    ScalingDecision? LastDecision,
    int Restarts);

/// <summary>A change of replicas and its reason, in the words KEDA's and the HPA's conditions use.</summary>
public sealed record ScalingDecision(DateTimeOffset At, string Queue, string By, int From, int To, string Reason)
{
    public override string ToString() => $"{At:HH:mm:ss} {Queue}: {From} -> {To} by {By}: {Reason}";
}

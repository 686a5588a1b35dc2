namespace Serverless.Scaling.Autoscaling;

/// <summary>The per-metric replica proposal of the HPA for a KEDA external metric (platform-semantics §2.2).</summary>
public static class ExternalMetricProposal
{
    /// <summary>
    /// <c>target.averageValue</c> (KEDA's default, <c>GetExternalPerPodMetricReplicas</c>):
    /// r = usage / (target × statusReplicas); within tolerance the HPA keeps statusReplicas, otherwise it
    /// proposes ceil(usage / target), independent of the current count.
    /// </summary>
    public static int AverageValue(double usage, double targetPerReplica, int statusReplicas, Tolerances tolerances)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetPerReplica);
        var ratio = usage / (targetPerReplica * statusReplicas);
        if (tolerances.IsWithin(ratio))
        {
            return statusReplicas;
        }

        var desired = Math.Ceiling(usage / targetPerReplica);
        return desired >= int.MaxValue ? int.MaxValue : (int)desired;
    }
}

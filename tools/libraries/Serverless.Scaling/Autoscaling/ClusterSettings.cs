namespace Serverless.Scaling.Autoscaling;

/// <summary>
/// kube-controller-manager HPA flags (platform-semantics §2.1). They belong to the cluster, not to a queue,
/// so a managed cluster with other values can be modelled once.
/// </summary>
public sealed record ClusterSettings(
    int HpaSyncPeriodSeconds = ClusterSettings.DefaultSyncPeriodSeconds,
    double Tolerance = ClusterSettings.DefaultTolerance,
    int DownscaleStabilizationSeconds = ClusterSettings.DefaultDownscaleStabilizationSeconds)
{
    public const int DefaultSyncPeriodSeconds = 15;
    public const double DefaultTolerance = 0.1;
    public const int DefaultDownscaleStabilizationSeconds = 300;

    public static ClusterSettings Default { get; } = new();
}

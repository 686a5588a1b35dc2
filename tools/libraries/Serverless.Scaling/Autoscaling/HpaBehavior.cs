namespace Serverless.Scaling.Autoscaling;

public enum ScalingPolicyType
{
    Pods,
    Percent,
}

public enum SelectPolicy
{
    Max,
    Min,
    Disabled,
}

/// <summary>One <c>behavior.scaleUp/scaleDown.policies[]</c> entry of an autoscaling/v2 HPA.</summary>
public sealed record HpaScalingPolicy(ScalingPolicyType Type, int Value, int PeriodSeconds);

/// <summary>
/// <c>behavior.scaleUp</c> or <c>behavior.scaleDown</c> as written by the operator: unset fields stay null
/// so the renderer copies exactly what was stated and the model fills the API server's defaults.
/// </summary>
public sealed record HpaScalingRules(
    int? StabilizationWindowSeconds = null,
    SelectPolicy? SelectPolicy = null,
    IReadOnlyList<HpaScalingPolicy>? Policies = null,
    double? Tolerance = null);

/// <summary><c>spec.advanced.horizontalPodAutoscalerConfig.behavior</c>, copied verbatim into the HPA (§1.1).</summary>
public sealed record HpaBehavior(HpaScalingRules? ScaleUp = null, HpaScalingRules? ScaleDown = null)
{
    /// <summary>
    /// The behaviour the HPA controller works with once the API server has defaulted it
    /// (platform-semantics §2.5, <c>pkg/apis/autoscaling/v2/defaults.go</c>): scale-up window 0, policies
    /// Pods 4 / 15 s and Percent 100 / 15 s; scale-down policy Percent 100 / 15 s and a nil window that the
    /// controller replaces with its downscale-stabilisation flag; <c>selectPolicy</c> Max; tolerance from the cluster.
    /// </summary>
    public EffectiveBehavior WithDefaults(ClusterSettings cluster) => new(
        Fill(ScaleUp, 0, DefaultScaleUpPolicies, cluster.Tolerance),
        Fill(ScaleDown, cluster.DownscaleStabilizationSeconds, DefaultScaleDownPolicies, cluster.Tolerance));

    public static IReadOnlyList<HpaScalingPolicy> DefaultScaleUpPolicies { get; } =
    [
        new(ScalingPolicyType.Pods, 4, 15),
        new(ScalingPolicyType.Percent, 100, 15),
    ];

    public static IReadOnlyList<HpaScalingPolicy> DefaultScaleDownPolicies { get; } =
    [
        new(ScalingPolicyType.Percent, 100, 15),
    ];

    private static EffectiveScalingRules Fill(
        HpaScalingRules? rules, int window, IReadOnlyList<HpaScalingPolicy> policies, double tolerance) => new(
        rules?.StabilizationWindowSeconds ?? window,
        rules?.SelectPolicy ?? SelectPolicy.Max,
        rules?.Policies ?? policies,
        rules?.Tolerance ?? tolerance);
}

public sealed record EffectiveScalingRules(
    int StabilizationWindowSeconds,
    SelectPolicy SelectPolicy,
    IReadOnlyList<HpaScalingPolicy> Policies,
    double Tolerance)
{
    public int LongestPeriodSeconds => Policies.Count == 0 ? 0 : Policies.Max(p => p.PeriodSeconds);
}

public sealed record EffectiveBehavior(EffectiveScalingRules ScaleUp, EffectiveScalingRules ScaleDown);

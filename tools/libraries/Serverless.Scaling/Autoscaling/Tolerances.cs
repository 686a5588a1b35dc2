namespace Serverless.Scaling.Autoscaling;

/// <summary>
/// The HPA's "close enough" band: a usage ratio r is within tolerance when 1 − down ≤ r ≤ 1 + up
/// (platform-semantics §2.2, <c>Tolerances.isWithin</c>; both 0.1 unless the behaviour sets them).
/// </summary>
public readonly record struct Tolerances(double ScaleDown, double ScaleUp)
{
    public bool IsWithin(double usageRatio) => 1.0 - ScaleDown <= usageRatio && usageRatio <= 1.0 + ScaleUp;

    public static Tolerances For(HpaBehavior? behavior, ClusterSettings cluster) => new(
        behavior?.ScaleDown?.Tolerance ?? cluster.Tolerance,
        behavior?.ScaleUp?.Tolerance ?? cluster.Tolerance);
}

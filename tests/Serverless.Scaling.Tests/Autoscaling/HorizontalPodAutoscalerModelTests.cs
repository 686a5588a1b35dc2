using Serverless.Scaling.Autoscaling;

namespace Serverless.Scaling.Tests.Autoscaling;

/// <summary>platform-semantics §2.3-§2.6: the HPA that KEDA creates, sync by sync.</summary>
public sealed class HorizontalPodAutoscalerModelTests
{
    private const int Target = 5;

    [Fact]
    public void Reconcile_NoBehaviorBacklog40From1Replica_CapsAt4ThenReaches8()
    {
        // §2.6: no behaviour → cap max(2 × 1, 4) = 4, next sync max(2 × 4, 4) = 8 → 8.
        var hpa = new HorizontalPodAutoscalerModel(0, 100, null, ClusterSettings.Default);

        var first = hpa.Reconcile(0, 1, 1, 40, Target);
        var second = hpa.Reconcile(15, first.Desired, first.Desired, 40, Target);

        Assert.Equal((HpaOutcome.Rescaled, 4), (first.Outcome, first.Desired));
        Assert.Equal((HpaOutcome.Rescaled, 8), (second.Outcome, second.Desired));
    }

    [Fact]
    public void Reconcile_DefaultBehaviorBacklog40From1Replica_Allows5ThenReaches8AfterThePeriod()
    {
        // §2.6: default policies → cap max(1 + 4, ceil(1 × 2)) = 5, then up to 8 after the 15 s period.
        var hpa = new HorizontalPodAutoscalerModel(0, 100, new HpaBehavior(), ClusterSettings.Default);

        var first = hpa.Reconcile(0, 1, 1, 40, Target);
        var second = hpa.Reconcile(15, 5, 5, 40, Target);

        Assert.Equal(5, first.Desired);
        Assert.Equal(8, second.Desired);
    }

    [Fact]
    public void Reconcile_DefaultBehaviorWithinTheSamePeriod_CountsReplicasAlreadyAdded()
    {
        var hpa = new HorizontalPodAutoscalerModel(0, 100, new HpaBehavior(), ClusterSettings.Default);
        hpa.Reconcile(0, 1, 1, 400, Target);

        // 10 s later the first event (+4) is inside the 15 s period: period start = 5 − 4 = 1 → max(1 + 4, 2) = 5.
        var again = hpa.Reconcile(10, 5, 5, 400, Target);

        Assert.Equal(HpaOutcome.NoChange, again.Outcome);
        Assert.Equal(5, again.Desired);
    }

    [Fact]
    public void Reconcile_NoBehaviorBacklogDropsToZero_HoldsForTheFiveMinuteWindowThenMin()
    {
        // §2.6: desired ceil(0/5) = 0 → clamped to min 1, but only after the 300 s window (max of window).
        var hpa = new HorizontalPodAutoscalerModel(0, 100, null, ClusterSettings.Default);
        Assert.Equal(8, hpa.Reconcile(0, 8, 8, 40, Target).Desired);

        for (var t = 15; t <= 300; t += 15)
        {
            var held = hpa.Reconcile(t, 8, 8, 0, Target);
            Assert.Equal(8, held.Desired);
        }

        var released = hpa.Reconcile(315, 8, 8, 0, Target);
        Assert.Equal((HpaOutcome.Rescaled, 1), (released.Outcome, released.Desired));
    }

    [Fact]
    public void Reconcile_BehaviorScaleDownWindow_PicksTheHighestRecommendationInTheWindow()
    {
        var behavior = new HpaBehavior(ScaleDown: new HpaScalingRules(StabilizationWindowSeconds: 60));
        var hpa = new HorizontalPodAutoscalerModel(0, 100, behavior, ClusterSettings.Default);
        hpa.Reconcile(0, 6, 6, 30, Target); // recommends 6
        hpa.Reconcile(15, 6, 6, 20, Target); // recommends 4, window still holds 6

        var held = hpa.Reconcile(30, 6, 6, 10, Target);
        var released = hpa.Reconcile(75, 6, 6, 10, Target); // 6 is older than 60 s now, 4 (t=15) too

        Assert.Equal(6, held.Desired);
        Assert.Equal(2, released.Desired);
    }

    [Fact]
    public void Reconcile_BehaviorScaleUpWindow_ScalesUpOnlyToTheLowestRecentRecommendation()
    {
        var behavior = new HpaBehavior(ScaleUp: new HpaScalingRules(StabilizationWindowSeconds: 30, Policies: [new(ScalingPolicyType.Pods, 100, 15)]));
        var hpa = new HorizontalPodAutoscalerModel(0, 100, behavior, ClusterSettings.Default);

        // The first sync remembers the current count (1) as a recommendation: scale-up waits for the window.
        var first = hpa.Reconcile(0, 1, 1, 50, Target);
        var second = hpa.Reconcile(15, 1, 1, 50, Target);
        var third = hpa.Reconcile(30, 1, 1, 50, Target);

        Assert.Equal((1, 1, 10), (first.Desired, second.Desired, third.Desired));
    }

    [Fact]
    public void Reconcile_PercentScaleDown_RoundsDown()
    {
        var behavior = new HpaBehavior(ScaleDown: new HpaScalingRules(0, Policies: [new(ScalingPolicyType.Percent, 50, 60)]));
        var hpa = new HorizontalPodAutoscalerModel(0, 100, behavior, ClusterSettings.Default);

        var first = hpa.Reconcile(0, 7, 7, 0, Target); // floor(7 × 0.5) = 3
        var second = hpa.Reconcile(15, 3, 3, 0, Target); // period start is still 7: floor(3.5) = 3, no further step

        Assert.Equal(3, first.Desired);
        Assert.Equal(HpaOutcome.NoChange, second.Outcome);
    }

    [Fact]
    public void Reconcile_SelectPolicyMin_TakesTheSmallestAllowedChange()
    {
        var rules = new HpaScalingRules(SelectPolicy: SelectPolicy.Min, Policies: [new(ScalingPolicyType.Pods, 4, 15), new(ScalingPolicyType.Percent, 100, 15)]);
        var hpa = new HorizontalPodAutoscalerModel(0, 100, new HpaBehavior(ScaleUp: rules), ClusterSettings.Default);

        // Pods proposes 2 + 4 = 6, Percent proposes ceil(2 × 2) = 4: Min takes 4.
        Assert.Equal(4, hpa.Reconcile(0, 2, 2, 500, Target).Desired);
    }

    [Fact]
    public void Reconcile_SelectPolicyDisabledForScaleUp_NeverAddsReplicas()
    {
        var rules = new HpaScalingRules(SelectPolicy: SelectPolicy.Disabled);
        var hpa = new HorizontalPodAutoscalerModel(0, 100, new HpaBehavior(ScaleUp: rules), ClusterSettings.Default);

        var sync = hpa.Reconcile(0, 1, 1, 500, Target);

        Assert.Equal(HpaOutcome.NoChange, sync.Outcome);
        Assert.Equal(1, sync.Desired);
    }

    [Fact]
    public void Reconcile_AtZeroReplicas_IsDisabled()
    {
        var hpa = new HorizontalPodAutoscalerModel(0, 10, null, ClusterSettings.Default);

        var sync = hpa.Reconcile(0, 0, 0, 500, Target);

        Assert.Equal((HpaOutcome.Disabled, 0), (sync.Outcome, sync.Desired));
    }

    [Fact]
    public void Reconcile_MetricUnavailable_KeepsTheCurrentCount()
    {
        var hpa = new HorizontalPodAutoscalerModel(0, 10, null, ClusterSettings.Default);

        var sync = hpa.Reconcile(0, 3, 3, null, Target);

        Assert.Equal((HpaOutcome.MetricUnavailable, 3), (sync.Outcome, sync.Desired));
    }

    [Fact]
    public void Reconcile_MinReplicaCountZero_HpaMinimumIsOne()
    {
        // §1.2: the HPA's minReplicas is max(minReplicaCount, 1).
        var hpa = new HorizontalPodAutoscalerModel(0, 10, new HpaBehavior(ScaleDown: new HpaScalingRules(0)), ClusterSettings.Default);

        Assert.Equal(1, hpa.MinReplicas);
        Assert.Equal(1, hpa.Reconcile(0, 4, 4, 0, Target).Desired);
    }

    [Fact]
    public void Reconcile_AboveMax_ReturnsToMaxWithoutReadingTheMetric()
    {
        var hpa = new HorizontalPodAutoscalerModel(0, 5, null, ClusterSettings.Default);

        var sync = hpa.Reconcile(0, 9, 9, null, Target);

        Assert.Equal((HpaOutcome.Rescaled, 5), (sync.Outcome, sync.Desired));
    }

    [Fact]
    public void Reconcile_NoBehaviorAfterACappedScaleUp_KeepsRampingFromTheRememberedRecommendation()
    {
        // Legacy path: the raw recommendation (20) is remembered; the next sync takes the max of the window
        // although the backlog fell to target × replicas.
        var hpa = new HorizontalPodAutoscalerModel(0, 100, null, ClusterSettings.Default);
        Assert.Equal(4, hpa.Reconcile(0, 1, 1, 100, Target).Desired);

        var next = hpa.Reconcile(15, 4, 4, 20, Target);

        Assert.Equal(8, next.Desired);
    }

    [Fact]
    public void WithDefaults_EmptyBehavior_GetsTheApiServerDefaults()
    {
        var effective = new HpaBehavior().WithDefaults(ClusterSettings.Default);

        Assert.Equal(0, effective.ScaleUp.StabilizationWindowSeconds);
        Assert.Equal(SelectPolicy.Max, effective.ScaleUp.SelectPolicy);
        Assert.Equal(HpaBehavior.DefaultScaleUpPolicies, effective.ScaleUp.Policies);
        Assert.Equal(300, effective.ScaleDown.StabilizationWindowSeconds);
        Assert.Equal([new HpaScalingPolicy(ScalingPolicyType.Percent, 100, 15)], effective.ScaleDown.Policies);
        Assert.Equal(0.1, effective.ScaleDown.Tolerance);
    }
}

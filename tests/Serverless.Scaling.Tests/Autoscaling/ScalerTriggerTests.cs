using Serverless.Scaling.Autoscaling;

namespace Serverless.Scaling.Tests.Autoscaling;

/// <summary>platform-semantics §1.2 (activation is strict) and §1.4 (fallback).</summary>
public sealed class ScalerTriggerTests
{
    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(1, 0, true)]
    [InlineData(5, 5, false)]
    [InlineData(6, 5, true)]
    public void Read_Metric_IsActiveOnlyAboveTheThreshold(double metric, double activation, bool active)
    {
        var trigger = new ScalerTrigger(10, activation, null);

        Assert.Equal(active, trigger.Read(metric, 0).IsActive);
    }

    [Fact]
    public void Read_ErrorsWithoutFallback_AreErrors()
    {
        var trigger = new ScalerTrigger(10, 0, null);

        for (var i = 0; i < 10; i++)
        {
            Assert.True(trigger.Read(null, 3).IsError);
        }
    }

    [Fact]
    public void Read_MoreFailuresThanThreshold_ReturnsTargetTimesFallbackReplicasAndIsActive()
    {
        var trigger = new ScalerTrigger(20, 0, new FallbackSettings(FailureThreshold: 2, Replicas: 3));

        var first = trigger.Read(null, 0);
        var second = trigger.Read(null, 0);
        var third = trigger.Read(null, 0);

        Assert.True(first.IsError && second.IsError);
        Assert.Equal(new TriggerReading(true, false, 60, true), third);
    }

    [Fact]
    public void Read_SuccessAfterFailures_ResetsTheCounter()
    {
        var trigger = new ScalerTrigger(20, 0, new FallbackSettings(1, 3));
        trigger.Read(null, 0);
        trigger.Read(7, 0);

        Assert.True(trigger.Read(null, 0).IsError);
    }

    [Theory]
    [InlineData(FallbackBehavior.Static, 6, 3)]
    [InlineData(FallbackBehavior.CurrentReplicas, 6, 6)]
    [InlineData(FallbackBehavior.CurrentReplicasIfHigher, 6, 6)]
    [InlineData(FallbackBehavior.CurrentReplicasIfHigher, 1, 3)]
    [InlineData(FallbackBehavior.CurrentReplicasIfLower, 6, 3)]
    [InlineData(FallbackBehavior.CurrentReplicasIfLower, 1, 1)]
    public void Read_FallbackBehavior_ChoosesTheReplicaCount(FallbackBehavior behavior, int current, int replicas)
    {
        var trigger = new ScalerTrigger(10, 0, new FallbackSettings(0, 3, behavior));

        Assert.Equal(10.0 * replicas, trigger.Read(null, current).Metric);
    }
}

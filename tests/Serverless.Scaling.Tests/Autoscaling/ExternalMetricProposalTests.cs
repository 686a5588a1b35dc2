using Serverless.Scaling.Autoscaling;

namespace Serverless.Scaling.Tests.Autoscaling;

/// <summary>platform-semantics §2.2 and the worked examples of §2.6 (targetQueueSize 5, AverageValue).</summary>
public sealed class ExternalMetricProposalTests
{
    private static readonly Tolerances Default = new(0.1, 0.1);

    [Fact]
    public void AverageValue_Backlog16With3Replicas_StaysAt3WithinTolerance()
    {
        // r = 16 / 15 = 1.07: within 0.1, so 3 stays although ceil(16/5) = 4.
        Assert.Equal(3, ExternalMetricProposal.AverageValue(16, 5, 3, Default));
    }

    [Fact]
    public void AverageValue_Backlog40With1Replica_ProposesCeilOfBacklogOverTarget()
    {
        Assert.Equal(8, ExternalMetricProposal.AverageValue(40, 5, 1, Default));
    }

    [Theory]
    [InlineData(17, 3, 4)] // r = 1.13 > 1.1: ceil(17/5) = 4
    [InlineData(33, 3, 7)] // r = 2.2: ceil(33/5) = 7, independent of the current count
    [InlineData(13, 3, 3)] // r = 0.87 < 0.9: ceil(13/5) = 3 (a proposal to stay is a proposal)
    [InlineData(0, 4, 0)] // nothing waiting: 0, the HPA clamps to minReplicas later
    public void AverageValue_OutsideTolerance_ProposesCeil(double backlog, int replicas, int expected)
    {
        Assert.Equal(expected, ExternalMetricProposal.AverageValue(backlog, 5, replicas, Default));
    }

    [Theory]
    [InlineData(44, 4, 4)] // r = 1.1 exactly: within (inclusive)
    [InlineData(36, 4, 4)] // r = 0.9 exactly: within (inclusive)
    [InlineData(45, 4, 5)] // r = 1.125, just above: ceil(45 / 10)
    public void AverageValue_AtTheToleranceEdges_IsInclusive(double backlog, int replicas, int expected)
    {
        Assert.Equal(expected, ExternalMetricProposal.AverageValue(backlog, 10, replicas, Default));
    }

    [Fact]
    public void AverageValue_PerDirectionTolerance_UsesTheScaleUpBandAboveOne()
    {
        var tight = new Tolerances(ScaleDown: 0.1, ScaleUp: 0.01);
        Assert.Equal(4, ExternalMetricProposal.AverageValue(16, 5, 3, tight));
    }
}

using Serverless.Scaler.Backlog;
using Temporalio.Api.Enums.V1;

namespace Serverless.Scaler.Tests;

public sealed class ScalerTargetTests
{
    [Fact]
    public void Parse_RedisStreams_ReadsKedaKeyNames()
    {
        var target = Assert.IsType<StreamTarget>(ScalerTarget.Parse(new Dictionary<string, string>
        {
            ["source"] = "redis-streams",
            ["stream"] = "dev-orders",
            ["consumerGroup"] = "notifications",
            ["lagCount"] = "10",
            ["activationLagCount"] = "2",
        }));

        Assert.Equal(new StreamTarget("dev-orders", "notifications", 10, 2), target);
        Assert.Equal("redis-streams-dev-orders-notifications", target.MetricName);
    }

    [Fact]
    public void Parse_Temporal_DefaultsTargetAndActivationLikeKeda()
    {
        var target = Assert.IsType<TaskQueueTarget>(ScalerTarget.Parse(new Dictionary<string, string>
        {
            ["source"] = "temporal",
            ["namespace"] = "dev",
            ["taskQueue"] = "dev-payments",
            ["queueTypes"] = "activity",
        }));

        Assert.Equal([TaskQueueType.Activity], target.QueueTypes);
        Assert.Equal((5d, 0d), (target.TargetPerReplica, target.ActivationThreshold));
        Assert.Equal("temporal-dev-dev-payments", target.MetricName);
    }

    [Fact]
    public void Parse_BrokenMetadata_ListsEveryProblem()
    {
        var error = Assert.Throws<InvalidScalerMetadataException>(() => ScalerTarget.Parse(new Dictionary<string, string>
        {
            ["source"] = "temporal",
            ["taskQueue"] = "dev-payments",
            ["queueTypes"] = "activity,workflows",
            ["targetQueueSize"] = "0",
            ["activationTargetQueueSize"] = "-1",
        }));

        Assert.Equal(
            [
                "scalerMetadata.queueTypes has unknown type 'workflows' (workflow, activity, nexus)",
                "scalerMetadata.namespace is required",
                "scalerMetadata.targetQueueSize must be a positive number; got '0'",
                "scalerMetadata.activationTargetQueueSize must be a non-negative number; got '-1'",
            ],
            error.Errors);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("kafka")]
    public void Parse_UnknownSource_IsRejected(string? source)
    {
        var metadata = source is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["source"] = source };

        var error = Assert.Throws<InvalidScalerMetadataException>(() => ScalerTarget.Parse(metadata));
        Assert.Contains("scalerMetadata.source must be 'redis-streams' or 'temporal'", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StreamWithoutLagCount_IsRejected()
    {
        var error = Assert.Throws<InvalidScalerMetadataException>(() => ScalerTarget.Parse(new Dictionary<string, string>
        {
            ["source"] = "redis-streams",
            ["stream"] = "dev-orders",
            ["consumerGroup"] = "notifications",
        }));

        Assert.Equal("scalerMetadata.lagCount is required", Assert.Single(error.Errors));
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(1, 0, true)]
    [InlineData(5, 5, false)]
    [InlineData(6, 5, true)]
    public void IsActive_StrictlyAboveThreshold(double backlog, double activation, bool active)
    {
        Assert.Equal(active, new StreamTarget("s", "g", 5, activation).IsActive(backlog));
    }
}

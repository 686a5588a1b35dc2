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

    [Fact]
    public void Parse_NoSignal_IsTheBacklogSignalWithoutWindow()
    {
        var target = ScalerTarget.Parse(Stream());

        Assert.Equal((ScalingSignal.Backlog, TimeSpan.Zero), (target.Signal, target.ActivationWindow));
    }

    [Theory]
    [InlineData("backlog", null, ScalingSignal.Backlog, 0)]
    [InlineData("backlog", "0", ScalingSignal.Backlog, 0)]
    [InlineData("work", null, ScalingSignal.Work, 0)]
    [InlineData("work", "120", ScalingSignal.Work, 120)]
    [InlineData("work", "86400", ScalingSignal.Work, 86400)]
    public void Parse_SignalAndWindow_AreRead(string signal, string? window, ScalingSignal expected, int seconds)
    {
        var target = ScalerTarget.Parse(Stream(signal, window));

        Assert.Equal((expected, TimeSpan.FromSeconds(seconds)), (target.Signal, target.ActivationWindow));
    }

    [Theory]
    [InlineData("Work", null, "scalerMetadata.signal must be 'backlog' or 'work'; got 'Work'")]
    [InlineData("", null, "scalerMetadata.signal must be 'backlog' or 'work'; got ''")]
    [InlineData("work", "-1", "scalerMetadata.activationWindowSeconds must be a whole number of seconds from 0 to 86400; got '-1'")]
    [InlineData("work", "1.5", "scalerMetadata.activationWindowSeconds must be a whole number of seconds from 0 to 86400; got '1.5'")]
    [InlineData("work", "86401", "scalerMetadata.activationWindowSeconds must be a whole number of seconds from 0 to 86400; got '86401'")]
    [InlineData("work", " 60", "scalerMetadata.activationWindowSeconds must be a whole number of seconds from 0 to 86400; got ' 60'")]
    [InlineData("work", "", "scalerMetadata.activationWindowSeconds must be a whole number of seconds from 0 to 86400; got ''")]
    [InlineData(null, "60", "scalerMetadata.activationWindowSeconds applies only with signal 'work'; got 60 with signal 'backlog'")]
    public void Parse_BadSignalOrWindow_IsRejectedWithTheReason(string? signal, string? window, string reason)
    {
        var error = Assert.Throws<InvalidScalerMetadataException>(() => ScalerTarget.Parse(Stream(signal, window)));

        Assert.Equal(reason, Assert.Single(error.Errors));
    }

    private static Dictionary<string, string> Stream(string? signal = null, string? window = null)
    {
        var metadata = new Dictionary<string, string>
        {
            ["source"] = "redis-streams",
            ["stream"] = "dev-orders",
            ["consumerGroup"] = "notifications",
            ["lagCount"] = "10",
        };
        if (signal is not null)
        {
            metadata["signal"] = signal;
        }

        if (window is not null)
        {
            metadata["activationWindowSeconds"] = window;
        }

        return metadata;
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

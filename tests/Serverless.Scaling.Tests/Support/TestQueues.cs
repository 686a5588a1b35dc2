using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Tests.Support;

/// <summary>Queue policies built in code for model tests; defaults are KEDA's unless a test says otherwise.</summary>
public static class TestQueues
{
    public static QueuePolicy Temporal(
        int target = 5,
        int activation = 0,
        int min = 0,
        int max = 10,
        int polling = 30,
        int cooldown = 300,
        HpaBehavior? behavior = null,
        FallbackSettings? fallback = null,
        double serviceRate = 10,
        int concurrency = 5,
        int startup = 0,
        int longestTask = 10,
        int slo = 60,
        bool useCachedMetrics = false) =>
        new(
            "payments",
            "payments-worker",
            new TemporalQueueSource("payments", [TemporalQueueType.Activity]),
            new ScalingSettings(target, activation, min, max, polling, cooldown, useCachedMetrics, behavior, fallback),
            new WorkloadProfile(1, serviceRate, concurrency, startup, longestTask),
            new ServiceLevel(slo),
            new FieldLocations(new SourceLocation("test.yaml", 1, 1), new Dictionary<string, SourceLocation>()));

    /// <summary>A temporal queue on the work signal, with its activation window.</summary>
    public static QueuePolicy Work(QueuePolicy queue, int windowSeconds) =>
        queue.WithSignal(ScalingSignal.Work) with { ActivationWindowSeconds = windowSeconds };

    public static QueuePolicy Stream(StreamMetric metric, int min = 0, int target = 10) =>
        Temporal(target: target, min: min) with { Name = "notifications", Source = new RedisStreamSource("orders", "notifications", metric) };
}

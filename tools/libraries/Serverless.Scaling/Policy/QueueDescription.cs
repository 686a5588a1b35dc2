namespace Serverless.Scaling.Policy;

public static class QueueDescription
{
    /// <summary>What the queue's scaler reads, in the words of the system: e.g. "Temporal task queue prod-payments (activity tasks, backlog count)", on the work signal "backlog + used slots".</summary>
    public static string Of(EnvironmentPolicy environment, QueuePolicy queue)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(queue);
        var work = queue.Signal == ScalingSignal.Work;
        return queue.Source switch
        {
            TemporalQueueSource t => $"Temporal task queue {t.PhysicalName(environment.Name)} ({string.Join(", ", t.QueueTypes.Select(q => q.ToString().ToLowerInvariant()))} tasks, {(work ? "backlog + used slots" : "backlog count")})",
            RedisStreamSource r => $"Redis stream {r.PhysicalStream(environment.Name)}, group {r.ConsumerGroup} ({(work ? "lag + pending entries" : r.Metric == StreamMetric.Lag ? "lag" : "pending entries")})",
            _ => queue.Source.KindName,
        };
    }
}

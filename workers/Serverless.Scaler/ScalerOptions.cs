namespace Serverless.Scaler;

public sealed class ScalerOptions
{
    public const string Section = "Scaler";

    /// <summary>StackExchange.Redis configuration string of the Redis holding the streams.</summary>
    public string Redis { get; set; } = string.Empty;

    /// <summary>
    /// How often a push stream re-reads its target without a wake-up. Temporal task queues have
    /// no blocking read: this interval bounds how late an activity queue wakes from zero.
    /// </summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one blocking XREAD of the stream watcher waits before it looks at the watched set again.</summary>
    public TimeSpan BlockTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one DescribeTaskQueue reply serves every caller of that task queue and type (KEDA's
    /// poll, HPA reads, push streams): bounds the scaler's call rate on the Temporal frontend.
    /// </summary>
    public TimeSpan TaskQueueStatsMaxAge { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Redis))
        {
            yield return "Scaler:Redis must name the Redis holding the streams (e.g. 'redis:6379,password=…').";
        }

        if (RecheckInterval < TimeSpan.FromMilliseconds(100) || RecheckInterval > TimeSpan.FromMinutes(5))
        {
            yield return $"Scaler:RecheckInterval must be between 100 ms and 5 min; got {RecheckInterval}.";
        }

        if (BlockTimeout < TimeSpan.FromMilliseconds(100) || BlockTimeout > TimeSpan.FromSeconds(30))
        {
            yield return $"Scaler:BlockTimeout must be between 100 ms and 30 s; got {BlockTimeout}.";
        }

        if (TaskQueueStatsMaxAge < TimeSpan.Zero || TaskQueueStatsMaxAge > TimeSpan.FromSeconds(5))
        {
            yield return $"Scaler:TaskQueueStatsMaxAge must be between 0 and 5 s (a staler read delays waking from zero); got {TaskQueueStatsMaxAge}.";
        }
    }
}

using Serverless.Platform.Environments;

namespace Serverless.Platform.Messaging;

/// <summary>How events leave this process.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>CloudEvent <c>source</c>: the publisher's app-id, as Dapr sets it.</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>Dapr pub/sub component name; also written as the <c>pubsubname</c> attribute by the direct adapter.</summary>
    public string PubSubName { get; set; } = "pubsub";

    /// <summary><c>XADD ... MAXLEN ~ N</c> (Dapr's <c>maxLenApprox</c>); unset = no trimming.</summary>
    public long? MaxLenApprox { get; set; }

    /// <summary>
    /// <c>XADD ... MINID ~ &lt;now - StreamTtl&gt;-1</c> (Dapr's <c>streamTTL</c>): entries older than this
    /// are trimmed as new ones arrive; unset = no time-based trimming. Exclusive with <see cref="MaxLenApprox"/>.
    /// </summary>
    public TimeSpan? StreamTtl { get; set; }

    public IEnumerable<string> Validate(ServerlessEnvironmentOptions environment)
    {
        if (string.IsNullOrWhiteSpace(Source))
        {
            yield return "Messaging:Source must name the publishing app (its Dapr app-id), e.g. serverless-workers.";
        }

        if (string.IsNullOrWhiteSpace(PubSubName))
        {
            yield return "Messaging:PubSubName must name the Dapr pub/sub component (e.g. pubsub).";
        }

        if (MaxLenApprox is <= 0)
        {
            yield return $"Messaging:MaxLenApprox must be positive when set; got {MaxLenApprox}.";
        }

        if (StreamTtl is { } ttl && ttl < TimeSpan.FromMilliseconds(1))
        {
            yield return $"Messaging:StreamTtl must be at least 1 ms when set (e.g. 01:00:00); got {ttl}.";
        }

        if (MaxLenApprox is not null && StreamTtl is not null)
        {
            // XADD takes one trimming strategy; Dapr only warns and then trims by length alone.
            yield return "Messaging:MaxLenApprox and Messaging:StreamTtl cannot both be set: a stream is trimmed by length or by age.";
        }

        foreach (var mixing in EnvironmentGuard.FindMixing(environment, [("Messaging:Source", Source), ("Messaging:PubSubName", PubSubName)]))
        {
            yield return mixing;
        }
    }
}

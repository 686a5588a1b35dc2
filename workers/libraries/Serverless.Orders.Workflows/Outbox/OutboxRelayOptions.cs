namespace Serverless.Orders.Outbox;

/// <summary>Settings of the outbox relay (section <c>Outbox:Relay</c>), run by the orders worker pool.</summary>
public sealed class OutboxRelayOptions
{
    public const string Section = "Outbox:Relay";

    /// <summary>Runs the relay in this process. Off by default: only a pool that can reach PostgreSQL and Temporal turns it on.</summary>
    public bool Enabled { get; set; }

    /// <summary>Rows one claim locks and starts concurrently.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>Wait between claims when the last one found less than a full batch (and between metric refreshes).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bound on one workflow start, SDK retries included; past it the start counts as failed and the row is retried.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Delay before a row's second attempt; doubled per failed attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long finished rows (started, cancelled) are kept: the key's first body decides a replay for this long.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    public IEnumerable<string> Validate()
    {
        if (BatchSize is < 1 or > 1000)
        {
            yield return $"Outbox:Relay:BatchSize must be between 1 and 1000; got {BatchSize}.";
        }

        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromMinutes(1))
        {
            yield return $"Outbox:Relay:PollInterval must be between 00:00:00.01 and 00:01:00; got {PollInterval}.";
        }

        if (StartTimeout < TimeSpan.FromMilliseconds(100) || StartTimeout > TimeSpan.FromMinutes(1))
        {
            yield return $"Outbox:Relay:StartTimeout must be between 00:00:00.1 and 00:01:00; got {StartTimeout}.";
        }

        if (RetryBaseDelay < TimeSpan.FromMilliseconds(10) || RetryMaxDelay < RetryBaseDelay || RetryMaxDelay > TimeSpan.FromHours(1))
        {
            yield return $"Outbox:Relay:RetryBaseDelay ({RetryBaseDelay}) and RetryMaxDelay ({RetryMaxDelay}) must satisfy 00:00:00.01 <= base <= max <= 01:00:00.";
        }

        if (Retention < TimeSpan.FromMinutes(1))
        {
            yield return $"Outbox:Relay:Retention must be at least 00:01:00; got {Retention}.";
        }
    }
}

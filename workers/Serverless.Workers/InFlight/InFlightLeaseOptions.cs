namespace Serverless.Workers.InFlight;

/// <summary>How often this process renews its in-flight leases and how long one outlives a silent process.</summary>
public sealed class InFlightLeaseOptions
{
    public const string Section = "Workers:InFlight";

    /// <summary>Time between renewals: how stale the scaler's in-flight count may be.</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a lease lives without renewal: how long a SIGKILLed pod's in-flight count is still
    /// summed. More than two intervals, so one late or failed renewal does not drop a live worker.
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate()
    {
        if (RenewInterval < TimeSpan.FromMilliseconds(100) || RenewInterval > TimeSpan.FromMinutes(1))
        {
            yield return $"{Section}:RenewInterval must be between 100 ms and 1 minute; got {RenewInterval}.";
        }

        if (Ttl <= RenewInterval * 2)
        {
            yield return $"{Section}:Ttl ({Ttl}) must exceed twice {Section}:RenewInterval ({RenewInterval}): " +
                         "a single late renewal would drop a live worker's in-flight work from the scaler's sum.";
        }

        if (Ttl > TimeSpan.FromMinutes(5))
        {
            yield return $"{Section}:Ttl must be at most 5 minutes (a killed pod's work is counted that long); got {Ttl}.";
        }
    }
}

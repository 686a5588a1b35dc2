namespace Serverless.Local.Up;

/// <summary>How `serverless up` runs: embedded defaults, each overridable by an address.</summary>
public sealed record LocalSystemOptions
{
    public required string RepositoryRoot { get; init; }

    /// <summary>Build configuration whose outputs are run.</summary>
    public string Configuration { get; init; } = "Release";

    /// <summary>The hosts' ReadyToRun publish output the replicas run (see <see cref="Deployables"/>); their build output when null.</summary>
    public string? HostsDirectory { get; init; }

    public string Environment { get; init; } = "dev";

    /// <summary>A running Redis (host:port); a throwaway redis-server when null.</summary>
    public string? RedisAddress { get; init; }

    /// <summary>A running PostgreSQL (Npgsql connection string); a throwaway cluster when null and the binaries exist.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>A running Temporal frontend (host:port); else the `temporal` CLI's dev server; else the SDK's download.</summary>
    public string? TemporalAddress { get; init; }

    /// <summary>Wake queues at once through the push scaler's stream (else only every pollingInterval).</summary>
    public bool PushActivation { get; init; } = true;

    /// <summary>Overrides every queue's pollingInterval (seconds), e.g. to compare with push activation.</summary>
    public int? PollingIntervalSeconds { get; init; }

    /// <summary>Loopback port of the HTTP API; a free one when 0.</summary>
    public int ApiPort { get; init; }

    /// <summary>Only these queues get replicas (all when null).</summary>
    public IReadOnlySet<string>? Queues { get; init; }
}

using StackExchange.Redis;

namespace Serverless.Platform.Redis;

/// <summary>Where Redis is and how hard we may push it.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string: <c>host:port[,password=...][,ssl=true][,defaultDatabase=N]</c>.</summary>
    public string Configuration { get; set; } = string.Empty;

    /// <summary>
    /// TLS to every Redis endpoint (server certificate checked against the system's trust store), in addition to
    /// <c>ssl=true</c> in <see cref="Configuration"/>: one switch per environment (the <c>Redis__Tls</c> of its
    /// ConfigMap) that the Dapr components' <c>enableTLS</c> and KEDA's redis triggers follow too.
    /// </summary>
    public bool Tls { get; set; }

    /// <summary>Per-command timeout; a command waiting longer fails instead of hanging a request or a handler.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Share of the memory limit above which readiness is degraded and publishers hold back (0.85 = 85 %).</summary>
    public double MemoryThreshold { get; set; } = 0.85;

    /// <summary>How often <c>INFO memory</c> is sampled.</summary>
    public TimeSpan MemoryCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a publisher waits for memory to fall below the threshold before it gives up with an error.</summary>
    public TimeSpan MaxBackpressureWait { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
        {
            yield return "Redis:Configuration must name the Redis server (host:port[,password=...]).";
        }
        else
        {
            string? error = null;
            try
            {
                if (ConfigurationOptions.Parse(Configuration).EndPoints.Count == 0)
                {
                    error = $"Redis:Configuration '{Configuration}' names no endpoint (expected host:port).";
                }
            }
            catch (ArgumentException e)
            {
                error = $"Redis:Configuration '{Configuration}' is not a valid configuration string: {e.Message}";
            }

            if (error is not null)
            {
                yield return error;
            }
        }

        if (OperationTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            yield return "Redis:OperationTimeout and Redis:ConnectTimeout must be positive.";
        }

        if (MemoryThreshold is <= 0 or > 1)
        {
            yield return $"Redis:MemoryThreshold must be a share between 0 and 1 (0.85 = 85 %); got {MemoryThreshold}.";
        }

        if (MemoryCheckInterval <= TimeSpan.Zero || MaxBackpressureWait < TimeSpan.Zero)
        {
            yield return "Redis:MemoryCheckInterval must be positive and Redis:MaxBackpressureWait not negative.";
        }
    }

    /// <summary>The host names configured, for the environment-mixing check.</summary>
    public IEnumerable<string> Hosts()
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(Configuration);
        }
        catch (ArgumentException)
        {
            yield break;
        }

        foreach (var endpoint in parsed.EndPoints)
        {
            yield return endpoint.ToString() ?? string.Empty;
        }
    }
}

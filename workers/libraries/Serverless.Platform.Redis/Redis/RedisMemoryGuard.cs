using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serverless.Platform.Redis;

/// <summary>One reading of <c>INFO memory</c>.</summary>
public sealed record RedisMemorySample(long UsedBytes, long LimitBytes, bool LimitIsMaxMemory)
{
    public double Utilization => LimitBytes > 0 ? (double)UsedBytes / LimitBytes : 0;
}

/// <summary>
/// Keeps Redis out of OOM. Samples <c>INFO memory</c>, exports used and limit bytes as metrics,
/// degrades readiness above the threshold, and makes publishers wait (bounded) while Redis is
/// above it instead of pushing it into <c>maxmemory</c>. The limit is <c>maxmemory</c>, or the
/// machine's memory when <c>maxmemory</c> is 0 (unlimited) — set <c>maxmemory</c> in production.
/// </summary>
public sealed partial class RedisMemoryGuard : BackgroundService, IHealthCheck
{
    public const string MeterName = "Serverless.Redis";
    private static readonly TimeSpan BackpressurePollInterval = TimeSpan.FromMilliseconds(250);

    private readonly RedisConnections connections;
    private readonly RedisOptions options;
    private readonly ILogger<RedisMemoryGuard> logger;
    private readonly Meter meter;
    private readonly Counter<long> backpressured;
    private readonly Counter<long> outOfMemory;
    private volatile RedisMemorySample? last;
    private volatile string? unreachable;
    private volatile bool outOfMemoryReported;

    public RedisMemoryGuard(RedisConnections connections, IOptions<RedisOptions> options, IMeterFactory meters, ILogger<RedisMemoryGuard> logger)
    {
        this.connections = connections;
        this.options = options.Value;
        this.logger = logger;
        meter = meters.Create(MeterName);
        meter.CreateObservableGauge("serverless.redis.memory.used", () => last?.UsedBytes ?? 0, "By", "Redis used_memory");
        meter.CreateObservableGauge("serverless.redis.memory.limit", () => last?.LimitBytes ?? 0, "By", "Redis maxmemory (or machine memory when maxmemory is 0)");
        meter.CreateObservableGauge("serverless.redis.memory.utilization", () => last?.Utilization ?? 0, "1", "used / limit");
        backpressured = meter.CreateCounter<long>("serverless.redis.backpressure", "{write}", "Writes held back because Redis was above the memory threshold");
        outOfMemory = meter.CreateCounter<long>("serverless.redis.oom", "{error}", "Writes Redis refused with an OOM error");
    }

    public RedisMemorySample? LastSample => last;

    public bool IsAboveThreshold => outOfMemoryReported || (last is { } sample && sample.Utilization >= options.MemoryThreshold);

    /// <summary>Reads <c>INFO memory</c> now.</summary>
    public async Task<RedisMemorySample> SampleAsync()
    {
        var connection = await connections.SharedAsync();
        var server = connection.GetServers().FirstOrDefault(s => s.IsConnected) ?? connection.GetServers()[0];
        var info = await server.InfoRawAsync("memory") ?? string.Empty;
        var sample = Parse(info);
        last = sample;
        unreachable = null;
        if (outOfMemoryReported && sample.Utilization < options.MemoryThreshold)
        {
            outOfMemoryReported = false;
        }

        return sample;
    }

    /// <summary>
    /// Returns at once while Redis is below the threshold; otherwise waits (re-sampling) up to
    /// <see cref="RedisOptions.MaxBackpressureWait"/> and then fails with <see cref="RedisBackpressureException"/>.
    /// </summary>
    public async Task WaitForCapacityAsync(CancellationToken cancellationToken)
    {
        if (!IsAboveThreshold)
        {
            return;
        }

        backpressured.Add(1);
        var deadline = DateTime.UtcNow + options.MaxBackpressureWait;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(BackpressurePollInterval, cancellationToken);
            await TrySampleAsync();
            if (!IsAboveThreshold)
            {
                return;
            }
        }

        var sample = last;
        throw new RedisBackpressureException(
            $"Redis memory is at {sample?.Utilization:P0} of its limit ({sample?.UsedBytes} of {sample?.LimitBytes} bytes), above the " +
            $"{options.MemoryThreshold:P0} threshold (Redis:MemoryThreshold) for {options.MaxBackpressureWait}: the write was held back " +
            "to keep Redis out of OOM. Consumers must drain the streams, or Redis needs more memory.");
    }

    /// <summary>Translates a Redis OOM refusal into <see cref="RedisOutOfMemoryException"/> and holds back further writes.</summary>
    public Exception OutOfMemory(Exception error, string operation)
    {
        outOfMemory.Add(1);
        outOfMemoryReported = true;
        LogOutOfMemory(operation, error.Message);
        return new RedisOutOfMemoryException(
            $"Redis refused {operation}: it is out of memory (maxmemory reached). Writes are held back until memory falls below " +
            $"{options.MemoryThreshold:P0}; do not retry in a loop. Redis said: {error.Message}", error);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (unreachable is { } error)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"Redis unreachable: {error}"));
        }

        if (last is not { } sample)
        {
            return Task.FromResult(HealthCheckResult.Degraded("Redis memory not sampled yet"));
        }

        var description = $"Redis memory {sample.Utilization:P0} of {(sample.LimitIsMaxMemory ? "maxmemory" : "machine memory (maxmemory unset)")}";
        return Task.FromResult(IsAboveThreshold
            ? HealthCheckResult.Degraded($"{description}, above the {options.MemoryThreshold:P0} threshold: publishers hold back")
            : HealthCheckResult.Healthy(description));
    }

    public static RedisMemorySample Parse(string info)
    {
        long Field(string name)
        {
            foreach (var line in info.Split('\n'))
            {
                var trimmed = line.TrimEnd('\r');
                if (trimmed.StartsWith(name + ":", StringComparison.Ordinal)
                    && long.TryParse(trimmed.AsSpan(name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }

            return 0;
        }

        var maxMemory = Field("maxmemory");
        return new RedisMemorySample(Field("used_memory"), maxMemory > 0 ? maxMemory : Field("total_system_memory"), maxMemory > 0);
    }

    public override void Dispose()
    {
        meter.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.MemoryCheckInterval);
        try
        {
            do
            {
                await TrySampleAsync();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    private async Task TrySampleAsync()
    {
        try
        {
            var sample = await SampleAsync();
            if (sample.Utilization >= options.MemoryThreshold)
            {
                LogAboveThreshold(sample.Utilization, options.MemoryThreshold, sample.UsedBytes, sample.LimitBytes);
            }
        }
        catch (Exception e)
        {
            unreachable = e.Message;
        }
    }

    [LoggerMessage(3000, LogLevel.Warning, "Redis memory at {Utilization:P0}, above the {Threshold:P0} threshold ({Used} of {Limit} bytes): publishers hold back")]
    private partial void LogAboveThreshold(double utilization, double threshold, long used, long limit);

    [LoggerMessage(3001, LogLevel.Error, "Redis is out of memory; {Operation} refused: {Error}")]
    private partial void LogOutOfMemory(string operation, string error);
}

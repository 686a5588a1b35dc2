using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Serverless.Functions.Health;

/// <summary>
/// One shared connection to the state store's Redis, opened on first use and reconnecting on its
/// own (AbortOnConnectFail off), so a pod starts while Redis is down.
/// </summary>
public sealed class RedisProbe(IOptions<FunctionsOptions> options) : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> connection = new(() =>
    {
        var configuration = ConfigurationOptions.Parse(options.Value.Redis);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = 2000;
        configuration.AsyncTimeout = 2000;
        // A probe must answer "down" at once, not queue its PING until a reconnect.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "serverless-functions";
        return ConnectionMultiplexer.ConnectAsync(configuration);
    });

    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var redis = await connection.Value.WaitAsync(cancellationToken);
        return await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (connection.IsValueCreated)
        {
            await (await connection.Value).DisposeAsync();
        }
    }
}

/// <summary>
/// Readiness of the state store. Registered with <see cref="HealthStatus.Degraded"/> as its failure
/// status: order reads fall back to PostgreSQL and the workflow when Redis is down, so a Redis outage
/// shows on the readiness report without taking every functions pod out of the Service.
/// </summary>
public sealed class RedisReadinessCheck(RedisProbe redis) : IHealthCheck
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Bound);
        try
        {
            var latency = await redis.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis unreachable: no answer within {Bound.TotalSeconds} s");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis unreachable: {e.Message}");
        }
    }
}

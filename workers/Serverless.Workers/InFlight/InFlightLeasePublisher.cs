using Microsoft.Extensions.Options;
using Serverless.Platform.Hosting;
using Serverless.Platform.Redis;

namespace Serverless.Workers.InFlight;

/// <summary>
/// Renews this process's in-flight lease on every task queue it polls, so the push scaler counts
/// work in flight as outstanding (platform-semantics §3.4) and a killed pod's count expires by
/// itself after the TTL. It runs on until each queue's worker has drained, renewing meanwhile (the
/// draining work is still in flight), then releases that queue's lease at once. Redis being down
/// never stops or slows a worker: a failed renewal is logged and retried with backoff.
/// </summary>
/// <remarks>
/// Registered before the queue workers: the host stops hosted services in reverse order, so this
/// one is asked to stop only after the workers have drained, and keeps renewing until they have.
/// </remarks>
public sealed partial class InFlightLeasePublisher(
    RedisConnections redis,
    IEnumerable<QueueSlots> queues,
    IOptions<InFlightLeaseOptions> options,
    IConfiguration configuration,
    ILogger<InFlightLeasePublisher> logger) : BackgroundService
{
    /// <summary>
    /// The pod's name where Kubernetes gives one (a restarted container takes over its own lease);
    /// elsewhere the host name plus a random suffix, since local replicas share one host.
    /// </summary>
    public string WorkerId { get; } = configuration["POD_NAME"] is { Length: > 0 } pod
        ? pod
        : ReplicaNames.WithRandomSuffix(Environment.MachineName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var held = queues.ToList();
        LogPublishing(WorkerId, string.Join(", ", held.Select(q => q.TaskQueue)), settings.RenewInterval, settings.Ttl);
        var failures = 0;
        while (true)
        {
            var error = await PublishAsync(held, settings.Ttl);
            if (error is null && failures > 0)
            {
                LogRecovered(failures);
            }

            failures = error is null ? 0 : failures + 1;
            var delay = Backoff(settings, failures);
            if (error is not null)
            {
                LogRenewFailed(failures, delay, error);
            }

            if (held.Count == 0)
            {
                break;
            }

            // A drain wakes the loop early so the lease goes the moment the work is done.
            using var wake = new CancellationTokenSource(delay);
            await ((Task)Task.WhenAny(held.Select(q => q.Drained))).WaitAsync(wake.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        LogReleased(WorkerId);
    }

    /// <summary>From the renew interval doubling up to the TTL: after one TTL of failures the lease is gone anyway.</summary>
    private static TimeSpan Backoff(InFlightLeaseOptions settings, int failures) =>
        failures == 0
            ? settings.RenewInterval
            : TimeSpan.FromTicks(Math.Min(settings.RenewInterval.Ticks << Math.Min(failures, 16), settings.Ttl.Ticks));

    /// <summary>Renews the leases of queues still working, releases those of drained queues; returns the first error, if any.</summary>
    private async Task<string?> PublishAsync(List<QueueSlots> held, TimeSpan ttl)
    {
        try
        {
            var leases = new InFlightLeases(await redis.DatabaseAsync());
            var drained = held.Where(q => q.IsDrained).ToList();
            await Task.WhenAll(held.Except(drained).Select(q => leases.RenewAsync(q.TaskQueue, WorkerId, q.Snapshot(), ttl)));
            await Task.WhenAll(drained.Select(q => leases.ReleaseAsync(q.TaskQueue, WorkerId)));
            held.RemoveAll(drained.Contains);
            return null;
        }
        catch (Exception e)
        {
            // A drained queue's lease that could not be released expires by itself within the TTL.
            held.RemoveAll(q => q.IsDrained);
            return e.Message;
        }
    }

    [LoggerMessage(2200, LogLevel.Information, "Publishing in-flight leases as {WorkerId} for {TaskQueues}: renewed every {RenewInterval}, TTL {Ttl}")]
    private partial void LogPublishing(string workerId, string taskQueues, TimeSpan renewInterval, TimeSpan ttl);

    [LoggerMessage(2201, LogLevel.Warning, "In-flight lease update failed ({Failures} in a row); the scaler may undercount work in flight. Retrying in {Delay}: {Error}")]
    private partial void LogRenewFailed(int failures, TimeSpan delay, string error);

    [LoggerMessage(2202, LogLevel.Information, "In-flight leases renewed again after {Failures} failed attempts")]
    private partial void LogRecovered(int failures);

    [LoggerMessage(2203, LogLevel.Information, "Every task queue drained; in-flight leases of {WorkerId} released (or left to expire where Redis was unreachable)")]
    private partial void LogReleased(string workerId);
}

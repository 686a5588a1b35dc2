using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Serverless.Workers.Hosting;

/// <summary>Ready means: every configured task queue has a worker polling it.</summary>
public sealed class WorkerReadiness : IHealthCheck
{
    private readonly ConcurrentDictionary<string, bool> polling = new(StringComparer.Ordinal);

    public void Expect(string taskQueue) => polling.TryAdd(taskQueue, false);

    public void MarkPolling(string taskQueue) => polling[taskQueue] = true;

    public void MarkStopped(string taskQueue) => polling[taskQueue] = false;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var idle = polling.Where(p => !p.Value).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        var polled = string.Join(", ", polling.Keys.Order(StringComparer.Ordinal));
        return Task.FromResult(idle.Count == 0
            ? HealthCheckResult.Healthy($"polling {polled}")
            : HealthCheckResult.Unhealthy($"not polling yet: {string.Join(", ", idle)}"));
    }
}

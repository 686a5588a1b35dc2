using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Serverless.Consumers.Consuming;

/// <summary>Ready means: every configured stream has its group and is being read.</summary>
public sealed class ConsumerReadiness : IHealthCheck
{
    private readonly ConcurrentDictionary<string, string?> problems = new(StringComparer.Ordinal);

    public void Expect(string stream) => problems.TryAdd(stream, "not started");

    public void MarkReading(string stream) => problems[stream] = null;

    public void MarkNotReading(string stream, string reason) => problems[stream] = reason;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failing = problems.Where(p => p.Value is not null).Select(p => $"{p.Key}: {p.Value}").Order(StringComparer.Ordinal).ToList();
        return Task.FromResult(failing.Count == 0
            ? HealthCheckResult.Healthy($"reading {string.Join(", ", problems.Keys.Order(StringComparer.Ordinal))}")
            : HealthCheckResult.Unhealthy($"not reading: {string.Join("; ", failing)}"));
    }
}

using System.Diagnostics;
using System.Text.Json;
using Serverless.Catalog;
using Serverless.Platform.Messaging;
using Serverless.Scaling.Policy;

namespace Serverless.Bench.Streams;

/// <summary>
/// The audit consumer on a stream of its own, as the stream benchmarks scale it: the queue policy, the
/// settings of its replicas, the events they publish to it and the bounded waits they use.
/// </summary>
public static class AuditConsumer
{
    public const string Environment = "dev";
    public const string Queue = "audit";
    public const string Group = "audit";
    public const string Deployment = "audit-consumer";

    /// <summary>The audit group on <c>dev-&lt;topic&gt;</c> as a catalog of its own: what its replicas run.</summary>
    public static ServiceCatalog Catalog(string topic) => new([], [new StreamConsumer(Queue, Deployment, topic, Group, StreamHandlers.Audit)]);

    /// <summary>The <c>audit</c> queue on <c>dev-&lt;topic&gt;</c>, from zero to <paramref name="maxReplicas"/>, parsed like scalers.yaml.</summary>
    public static QueuePolicy Policy(string topic, int pollingSeconds, int cooldownSeconds, int maxReplicas, TriggerActivation activation)
    {
        var yaml = $$"""
            version: 1
            connections:
              redis:
                address: "redis:6379"
                passwordSecret: {name: redis, key: password}
              pushScaler:
                address: "127.0.0.1:9090"
            traffic:
              ordersPerDay: 1000
              peakToMeanRatio: 1.5
              peakHour: 12
              spike: {factor: 2, startHour: 12, minutes: 10}
            defaults:
              pollingIntervalSeconds: {{pollingSeconds}}
              cooldownSeconds: {{cooldownSeconds}}
            queues:
              {{Queue}}:
                kind: redis-stream
                deployment: {{Deployment}}
                stream: "{environment}-{{topic}}"
                consumerGroup: {{Group}}
                metric: lag
                activation: {{activation.ToString().ToLowerInvariant()}}
                targetPerReplica: 10
                minReplicas: 0
                maxReplicas: {{maxReplicas}}
                workload: {itemsPerOrder: 1, serviceRatePerReplica: 100, concurrencyPerReplica: 16, startupSeconds: 1, longestTaskSeconds: 1}
                slo: {queueWaitSeconds: 60}
            environments:
              dev: {}
            """;
        var loaded = PolicyLoader.Parse(yaml, "audit-stream-bench.yaml");
        return loaded.HasErrors
            ? throw new InvalidOperationException(string.Join('\n', loaded.Diagnostics))
            : loaded.Policy!.Find(Environment)!.FindQueue(Queue)!;
    }

    public static byte[] Event(string idPrefix, int n) => CloudEventFactory.Serialize(new CloudEvent
    {
        Id = $"{idPrefix}-{Guid.NewGuid():N}",
        Source = "bench",
        Type = "OrderPlaced",
        Subject = $"s-{n}",
        Data = JsonSerializer.SerializeToElement(new { n }),
    });

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        if (!await WaitUntilAsync(condition, bound))
        {
            throw new TimeoutException($"{what}: not reached within {bound}");
        }
    }

    /// <summary>Polls every 5 ms; false when <paramref name="bound"/> passed first.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > bound)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }
}

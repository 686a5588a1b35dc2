using System.Text.Json;
using Serverless.Catalog;
using Serverless.Local.Control;
using Serverless.Local.Embedded;
using Serverless.Local.Replicas;
using Serverless.Local.Up;
using Serverless.Platform.Messaging;
using Serverless.Scaling.Policy;
using Serverless.Testing;
using Serverless.Testing.Processes;
using StackExchange.Redis;

namespace Serverless.Local.Tests;

/// <summary>
/// The local controller end to end on real parts: events on a real Redis stream, the real push
/// scaler process serving the lag over gRPC, and real consumer processes started and stopped by the
/// controller with KEDA's rules: from zero on the first entry, back to zero after the cooldown.
/// </summary>
public sealed class QueueControllerTests : IAsyncLifetime
{
    private readonly string topic = $"t{Guid.NewGuid():N}"[..12];
    private readonly DirectoryInfo logs = Directory.CreateTempSubdirectory("serverless-controller-test-");
    private readonly List<ScalingDecision> decisions = [];
    private string redisAddress = null!;
    private string postgres = null!;
    private ConnectionMultiplexer redis = null!;
    private PushScalerProcess? scaler;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Stream => $"dev-{topic}";

    public async ValueTask InitializeAsync()
    {
        redisAddress = Engines.RequireRedis();
        postgres = Engines.RequirePostgres();
        redis = await ConnectionMultiplexer.ConnectAsync(redisAddress);
    }

    public async ValueTask DisposeAsync()
    {
        if (scaler is not null)
        {
            await scaler.DisposeAsync();
        }

        if (redis is not null)
        {
            await redis.GetDatabase().KeyDeleteAsync(Stream);
            await redis.DisposeAsync();
        }

        logs.Delete(recursive: true);
    }

    [Fact]
    public async Task Run_EventsOnIdleStream_ScalesFromZeroDrainsAndReturnsToZeroAfterCooldown()
    {
        var queue = Policy(pollingSeconds: 1, cooldownSeconds: 3);
        await using var replicas = new ReplicaSet(queue.Deployment, ordinal => Templates().Start(queue, ordinal), TimeSpan.FromSeconds(15));
        using var connection = new ScalerConnection(await StartScalerAsync());
        using var controller = Controller(queue, connection, replicas, push: true);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = controller.RunAsync(stop.Token);

        // Idle: the queue stays at zero.
        await Eventually.TrueAsync(() => controller.Status().Metric == 0, TimeSpan.FromSeconds(30), "the controller has read the idle stream");
        Assert.Equal(0, replicas.Desired);

        await PublishAsync(120);
        await Eventually.TrueAsync(() => replicas.Desired >= 1, TimeSpan.FromSeconds(30), "KEDA activation scales the consumer from zero");
        await Eventually.TrueAsync(DrainedAsync, TimeSpan.FromSeconds(90), "the consumer reads and acknowledges every event");
        await Eventually.TrueAsync(() => replicas.Desired == 0 && replicas.Running == 0, TimeSpan.FromSeconds(60), "after the cooldown KEDA scales to zero");

        await stop.CancelAsync();
        await running;
        Assert.Contains(decisions, d => d is { From: 0, To: 1 } && d.By.StartsWith("KEDA", StringComparison.Ordinal) && d.Reason.Contains("activation threshold", StringComparison.Ordinal));
        Assert.Contains(decisions, d => d is { To: 0 } && d.Reason.Contains("cooldown", StringComparison.Ordinal));
        Assert.Equal(0, replicas.Restarts);
    }

    [Fact]
    public async Task Run_ScalerUnreachableWithoutFallback_NeverScales()
    {
        var queue = Policy(pollingSeconds: 1, cooldownSeconds: 3);
        await using var replicas = new ReplicaSet(queue.Deployment, ordinal => Templates().Start(queue, ordinal), TimeSpan.FromSeconds(15));
        using var connection = new ScalerConnection(new Uri($"http://127.0.0.1:{HostTools.FreePort()}"));
        using var controller = Controller(queue, connection, replicas, push: false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromSeconds(4));

        await PublishAsync(10);
        await controller.RunAsync(stop.Token);

        // KEDA without fallback: TriggerError, no scaling (platform-semantics §1.3).
        Assert.Equal(0, replicas.Desired);
        Assert.Null(controller.Status().Metric);
        Assert.Empty(decisions);
    }

    private QueueController Controller(QueuePolicy queue, ScalerConnection connection, ReplicaSet replicas, bool push) => new(
        queue,
        Serverless.Scaling.Autoscaling.ClusterSettings.Default,
        connection,
        ScalerConnection.ReferenceFor(queue, "dev", "dev"),
        replicas,
        push,
        decision =>
        {
            lock (decisions)
            {
                decisions.Add(decision);
            }
        });

    private QueuePolicy Policy(int pollingSeconds, int cooldownSeconds)
    {
        var yaml = $$"""
            version: 1
            connections:
              redis:
                address: "redis:6379"
                passwordSecret: {name: redis, key: password}
            traffic:
              ordersPerDay: 1000
              peakToMeanRatio: 1.5
              peakHour: 12
              spike: {factor: 2, startHour: 12, minutes: 10}
            defaults:
              pollingIntervalSeconds: {{pollingSeconds}}
              cooldownSeconds: {{cooldownSeconds}}
            queues:
              audit:
                kind: redis-stream
                deployment: audit-consumer
                stream: "{environment}-{{topic}}"
                consumerGroup: audit
                metric: lag
                targetPerReplica: 50
                minReplicas: 0
                maxReplicas: 2
                workload: {itemsPerOrder: 1, serviceRatePerReplica: 100, concurrencyPerReplica: 10, startupSeconds: 5, longestTaskSeconds: 1}
                slo: {queueWaitSeconds: 60}
            environments:
              dev: {}
            """;
        var loaded = PolicyLoader.Parse(yaml, "controller-test.yaml");
        Assert.False(loaded.HasErrors, string.Join('\n', loaded.Diagnostics));
        return loaded.Policy!.Find("dev")!.FindQueue("audit")!;
    }

    private ReplicaTemplates Templates() => new(
        RepoPaths.Deployables,
        new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Serverless__Environment"] = "dev",
            ["Redis__Configuration"] = redisAddress,
            ["Postgres__ConnectionString"] = postgres,
            ["Postgres__Schema"] = $"c_{topic}",
            ["Consumer__BlockTime"] = "00:00:00.500",
            ["Shutdown__Budget"] = "00:00:10",
            ["Shutdown__CleanupReserve"] = "00:00:02",
        },
        simulators: null,
        logs.FullName,
        new ServiceCatalog([], [new Catalog.StreamConsumer("audit", "audit-consumer", topic, "audit", StreamHandlers.Audit)]));

    private async Task<Uri> StartScalerAsync()
    {
        scaler = await PushScalerProcess.StartAsync(RepoPaths.Deployables, "dev", redisAddress, temporalAddress: null, logFile: null, Ct);
        return scaler.GrpcAddress;
    }

    private async Task PublishAsync(int count)
    {
        var database = redis.GetDatabase();
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => database.StreamAddAsync(Stream, "data", AuditEvent(i))));
    }

    private async Task<bool> DrainedAsync()
    {
        var groups = await redis.GetDatabase().StreamGroupInfoAsync(Stream);
        var group = groups.FirstOrDefault(g => g.Name == "audit");
        return group.Name is not null && group.Lag == 0 && group.PendingMessageCount == 0;
    }

    /// <summary>A CloudEvent in the platform's wire format (the audit handler records any order event).</summary>
    private static byte[] AuditEvent(int n) => CloudEventFactory.Serialize(new CloudEvent
    {
        Id = $"controller-test-{n}",
        Source = "tests",
        Type = "OrderPlaced",
        Subject = $"s-{n}",
        Data = JsonSerializer.SerializeToElement(new { n }),
    });
}

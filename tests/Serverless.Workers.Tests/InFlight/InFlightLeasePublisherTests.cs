using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serverless.Orders.Activities;
using Serverless.Platform.Redis;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using Serverless.Workers.InFlight;
using Serverless.Workers.Queues;
using StackExchange.Redis;
using Temporalio.Worker.Tuning;

namespace Serverless.Workers.Tests.InFlight;

/// <summary>The publisher as the host runs it, against the test run's Redis, with slots taken as the SDK takes them.</summary>
public sealed class InFlightLeasePublisherTests(SharedRedis shared) : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private static readonly SlotReserveContext Reserve = new(SlotType.Activity, "dev-payments", "worker-1", "build-1", IsSticky: false);
    private static readonly SlotInfo Charge = new SlotInfo.ActivitySlotInfo("ChargePayment");
    private readonly string taskQueue = $"dev-payments-{Guid.NewGuid():N}";
    private readonly List<IAsyncDisposable> owned = [];
    private IConnectionMultiplexer? redis;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Running_ActivitySlotInUse_LeaseCountsItUntilReleased()
    {
        var leases = await ConnectAsync();
        var slots = PaymentsSlots();
        var publisher = Publisher(shared.Address, slots, TimeSpan.FromMinutes(1));
        var permit = await slots.Activity.ReserveSlotAsync(Reserve, Ct);
        slots.Activity.MarkSlotUsed(new SlotMarkUsedContext(Charge, permit));

        await publisher.StartAsync(Ct);
        await Eventually.TrueAsync(async () => (await leases.ReadAsync(taskQueue)).ActivityUsed == 1, Bound, "the lease shows the slot in use");
        Assert.Equal(new TaskQueueSlots(1, 0, 0, 1, 4), await leases.ReadAsync(taskQueue));

        slots.Activity.ReleaseSlot(new SlotReleaseContext(Charge, permit));
        await Eventually.TrueAsync(async () => (await leases.ReadAsync(taskQueue)).ActivityUsed == 0, Bound, "the next renewal shows the slot free");

        slots.MarkDrained();
        await publisher.StopAsync(Ct);
        Assert.Equal(TaskQueueSlots.None, await leases.ReadAsync(taskQueue));
    }

    [Fact]
    public async Task StopAsync_WorkerStillDraining_RenewsUntilDrainedThenReleases()
    {
        var leases = await ConnectAsync();
        var slots = PaymentsSlots();
        var publisher = Publisher(shared.Address, slots, TimeSpan.FromMinutes(1));
        await publisher.StartAsync(Ct);
        await Eventually.TrueAsync(async () => (await leases.ReadAsync(taskQueue)).Workers == 1, Bound, "the lease is published");

        var stopping = publisher.StopAsync(Ct);
        var expiryAtStop = await ExpiryAsync(publisher.WorkerId);
        await Eventually.TrueAsync(async () => await ExpiryAsync(publisher.WorkerId) > expiryAtStop, Bound, "the lease is renewed after stop was asked for");
        Assert.False(stopping.IsCompleted);

        slots.MarkDrained();
        await stopping.WaitAsync(Bound, Ct);

        // Released, not expired: the TTL is a minute.
        Assert.Equal(TaskQueueSlots.None, await leases.ReadAsync(taskQueue));
        Assert.True(publisher.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Running_RedisUnreachable_WarnsAndStillStopsOnDrain()
    {
        var slots = PaymentsSlots();
        var log = new RecordingLogger();
        var publisher = Publisher($"127.0.0.1:{RedisServer.FreePort()},connectTimeout=200", slots, TimeSpan.FromSeconds(1), logger: log);

        await publisher.StartAsync(Ct);
        await Eventually.TrueAsync(() => log.Warnings.Count >= 2, Bound, "the publisher retries and warns while Redis is down");
        slots.MarkDrained();
        await publisher.StopAsync(Ct).WaitAsync(Bound, Ct);

        Assert.True(publisher.ExecuteTask!.IsCompletedSuccessfully);
        Assert.All(log.Warnings, w => Assert.StartsWith("In-flight lease update failed", w, StringComparison.Ordinal));
    }

    [Fact]
    public void WorkerId_PodNameSet_IsThePodName()
    {
        var inPod = Publisher("127.0.0.1:1", PaymentsSlots(), TimeSpan.FromSeconds(10), podName: "payments-worker-7d9f-abcde");
        var local1 = Publisher("127.0.0.1:1", PaymentsSlots(), TimeSpan.FromSeconds(10));
        var local2 = Publisher("127.0.0.1:1", PaymentsSlots(), TimeSpan.FromSeconds(10));

        Assert.Equal("payments-worker-7d9f-abcde", inPod.WorkerId);
        Assert.StartsWith(Environment.MachineName + "-", local1.WorkerId, StringComparison.Ordinal);
        Assert.NotEqual(local1.WorkerId, local2.WorkerId);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var item in owned)
        {
            await item.DisposeAsync();
        }

        if (redis is not null)
        {
            await redis.GetDatabase().KeyDeleteAsync([InFlightLeases.KeyFor(taskQueue), InFlightLeases.KeyFor(taskQueue) + ":expiry"]);
        }
    }

    private QueueSlots PaymentsSlots() => new(new QueueWorkerPlan(
        "payments", taskQueue, [], [typeof(PaymentActivities)], new QueueOptions { MaxConcurrentActivities = 4 }));

    private InFlightLeasePublisher Publisher(
        string redisConfiguration, QueueSlots slots, TimeSpan ttl, string? podName = null, ILogger<InFlightLeasePublisher>? logger = null)
    {
        var connections = new RedisConnections(Options.Create(new RedisOptions { Configuration = redisConfiguration }), NullLoggerFactory.Instance);
        owned.Add(connections);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["POD_NAME"] = podName }).Build();
        var publisher = new InFlightLeasePublisher(
            connections,
            [slots],
            Options.Create(new InFlightLeaseOptions { RenewInterval = TimeSpan.FromMilliseconds(100), Ttl = ttl }),
            configuration,
            logger ?? NullLogger<InFlightLeasePublisher>.Instance);
        owned.Add(new DisposeAction(publisher.Dispose));
        return publisher;
    }

    private async Task<InFlightLeases> ConnectAsync()
    {
        redis = await shared.ConnectAsync();
        return new InFlightLeases(redis.GetDatabase());
    }

    /// <summary>When the worker's lease expires, on the Redis server's clock: it moves on with every renewal.</summary>
    private async Task<double> ExpiryAsync(string worker) =>
        await redis!.GetDatabase().SortedSetScoreAsync(InFlightLeases.KeyFor(taskQueue) + ":expiry", worker) ?? 0;

    private sealed class RecordingLogger : ILogger<InFlightLeasePublisher>
    {
        private readonly List<string> warnings = [];

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (warnings)
                {
                    return [.. warnings];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                lock (warnings)
                {
                    warnings.Add(formatter(state, exception));
                }
            }
        }
    }

    private sealed class DisposeAction(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}

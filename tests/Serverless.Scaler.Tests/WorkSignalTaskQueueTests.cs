using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Serverless.Platform.Redis;
using Serverless.Scaler.Backlog;
using Serverless.Scaler.Grpc;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;
using Temporalio.Api.Enums.V1;

namespace Serverless.Scaler.Tests;

/// <summary>
/// How the work signal of a task queue combines the server's numbers with the workers' in-flight
/// leases (real Redis, real gRPC). The server's numbers are given by the test (<see cref="GivenStats"/>):
/// this tests the aggregation, not DescribeTaskQueue, which <see cref="LiveTaskQueueTests"/> reads from a live server.
/// </summary>
public sealed class WorkSignalTaskQueueTests(SharedRedis shared) : IAsyncLifetime
{
    private const int WindowSeconds = 60;
    private readonly string taskQueue = $"scaler-work-{Guid.NewGuid():N}";
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly GivenStats stats = new();
    private IConnectionMultiplexer redis = null!;
    private string redisAddress = null!;
    private InFlightLeases leases = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        redisAddress = Engines.RequireRedis();
        redis = await shared.ConnectAsync();
        leases = new InFlightLeases(redis.GetDatabase());
    }

    public async ValueTask DisposeAsync()
    {
        if (redis is not null)
        {
            var key = InFlightLeases.KeyFor(taskQueue);
            await redis.GetDatabase().KeyDeleteAsync([key, key + ":expiry"]);
        }
    }

    [Fact]
    public async Task GetMetrics_WorkSignal_AddsLiveLeasesUsedSlotsOfTheSelectedTypesToTheBacklog()
    {
        await using var scaler = await StartAsync();
        stats.Set(TaskQueueType.Activity, new TaskQueueTypeStats(3, TimeSpan.FromSeconds(1), 0));
        stats.Set(TaskQueueType.Workflow, new TaskQueueTypeStats(2, TimeSpan.FromSeconds(1), 0));
        await leases.RenewAsync(taskQueue, "worker-a", new WorkerSlots(WorkflowUsed: 1, WorkflowCapacity: 5, ActivityUsed: 4, ActivityCapacity: 10), TimeSpan.FromMinutes(1));
        await leases.RenewAsync(taskQueue, "worker-b", new WorkerSlots(WorkflowUsed: 0, WorkflowCapacity: 5, ActivityUsed: 2, ActivityCapacity: 10), TimeSpan.FromMinutes(1));

        Assert.Equal(3 + 4 + 2, await MetricAsync(scaler, Work("activity")));
        Assert.Equal(2 + 3 + 1 + 4 + 2, await MetricAsync(scaler, Work("workflow,activity")));
        Assert.Equal(3, await MetricAsync(scaler, Work("activity", signal: "backlog")));
    }

    [Fact]
    public async Task GetMetrics_WorkSignalLeaseTtlPassed_StopsCountingOnlyThatWorker()
    {
        await using var scaler = await StartAsync();
        await leases.RenewAsync(taskQueue, "worker-a", new WorkerSlots(0, 0, ActivityUsed: 4, ActivityCapacity: 10), TimeSpan.FromMinutes(1));
        await leases.RenewAsync(taskQueue, "worker-b", new WorkerSlots(0, 0, ActivityUsed: 2, ActivityCapacity: 10), TimeSpan.FromMinutes(1));
        Assert.Equal(6, await MetricAsync(scaler, Work("activity")));

        // A killed pod renews no more; a last renewal with a TTL that passes at once stands for it.
        await leases.RenewAsync(taskQueue, "worker-b", new WorkerSlots(0, 0, ActivityUsed: 2, ActivityCapacity: 10), TimeSpan.FromMilliseconds(1));

        await Eventually.TrueAsync(async () => await MetricAsync(scaler, Work("activity")) == 4, TimeSpan.FromSeconds(10), "worker-b's lease expired and worker-a's still counts");
        Assert.Equal(4, (await leases.ReadAsync(taskQueue)).ActivityUsed);
    }

    [Fact]
    public async Task IsActive_WorkSignalTasksBeingAdded_ActiveWithMetricZeroUntilTheWindowPasses()
    {
        await using var scaler = await StartAsync();
        Assert.False(await IsActiveAsync(scaler, Work("activity")));

        // Workers keep up: nothing waits, nothing is held, but the server sees tasks being added.
        stats.Set(TaskQueueType.Activity, new TaskQueueTypeStats(0, TimeSpan.Zero, TasksAddRate: 0.5));
        Assert.Equal(0, await MetricAsync(scaler, Work("activity")));
        Assert.True(await IsActiveAsync(scaler, Work("activity")));

        stats.Set(TaskQueueType.Activity, TaskQueueTypeStats.None);
        clock.Advance(TimeSpan.FromSeconds(WindowSeconds - 1));
        Assert.True(await IsActiveAsync(scaler, Work("activity")));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await IsActiveAsync(scaler, Work("activity")));
    }

    [Fact]
    public async Task IsActive_WorkSignalNotified_ActiveForTheWindowThenInactive()
    {
        await using var scaler = await StartAsync();
        Assert.False(await IsActiveAsync(scaler, Work("activity")));

        var notified = await scaler.Http.PostAsync(new Uri($"notify/{taskQueue}", UriKind.Relative), null, Ct);
        notified.EnsureSuccessStatusCode();

        Assert.True(await IsActiveAsync(scaler, Work("activity")));
        Assert.False(await IsActiveAsync(scaler, Work("activity", signal: "backlog")));
        clock.Advance(TimeSpan.FromSeconds(WindowSeconds));
        Assert.False(await IsActiveAsync(scaler, Work("activity")));
    }

    [Fact]
    public async Task GetMetrics_WorkSignalBacklogWithAgeButNoCount_CountsTheWaitingTask()
    {
        await using var scaler = await StartAsync();
        stats.Set(TaskQueueType.Activity, new TaskQueueTypeStats(0, TimeSpan.FromSeconds(3), 0));

        Assert.Equal(1, await MetricAsync(scaler, Work("activity")));
        Assert.Equal(0, await MetricAsync(scaler, Work("activity", signal: "backlog")));
    }

    private Task<ScalerHost> StartAsync() =>
        ScalerHost.StartAsync(redisAddress, TimeSpan.FromSeconds(2), services: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<ITaskQueueStats>(stats);
        });

    private ScaledObjectRef Work(string queueTypes, string signal = "work")
    {
        var reference = new ScaledObjectRef
        {
            Name = "payments-worker",
            Namespace = "serverless-dev",
            ScalerMetadata =
            {
                ["source"] = "temporal",
                ["namespace"] = "dev",
                ["taskQueue"] = taskQueue,
                ["queueTypes"] = queueTypes,
                ["targetQueueSize"] = "5",
                ["signal"] = signal,
            },
        };
        if (signal == "work")
        {
            reference.ScalerMetadata["activationWindowSeconds"] = WindowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return reference;
    }

    private static async Task<bool> IsActiveAsync(ScalerHost scaler, ScaledObjectRef reference) =>
        (await scaler.Client.IsActiveAsync(reference, cancellationToken: Ct)).Result;

    private static async Task<double> MetricAsync(ScalerHost scaler, ScaledObjectRef reference)
    {
        var response = await scaler.Client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = reference, MetricName = "x" }, cancellationToken: Ct);
        return Assert.Single(response.MetricValues).MetricValueFloat;
    }

    /// <summary>Task-queue stats set by the test, per type; a type not set reads as an idle queue.</summary>
    private sealed class GivenStats : ITaskQueueStats
    {
        private readonly ConcurrentDictionary<TaskQueueType, TaskQueueTypeStats> byType = new();

        public void Set(TaskQueueType type, TaskQueueTypeStats value) => byType[type] = value;

        public Task<TaskQueueTypeStats> ReadAsync(string @namespace, string taskQueue, TaskQueueType type, CancellationToken cancellationToken) =>
            Task.FromResult(byType.GetValueOrDefault(type, TaskQueueTypeStats.None));
    }
}

using System.Text.Json;
using Serverless.Platform.Json;
using Serverless.Platform.Redis;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Redis;

/// <summary>The lease store the workers write and the push scaler reads, on the test run's Redis; each test on a task queue of its own.</summary>
public sealed class InFlightLeasesTests(SharedRedis shared) : IAsyncDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ExpiryBound = TimeSpan.FromSeconds(15);
    private readonly string taskQueue = PlatformServices.Unique("dev-leases");
    private IConnectionMultiplexer? redis;

    private IDatabase Database => redis!.GetDatabase();

    private InFlightLeases Leases => new(Database);

    [Fact]
    public async Task ReadAsync_TwoWorkersRenewed_SumsTheirSlots()
    {
        await ConnectAsync();
        await Leases.RenewAsync(taskQueue, "worker-a", new WorkerSlots(1, 50, 3, 20), Long);
        await Leases.RenewAsync(taskQueue, "worker-b", new WorkerSlots(0, 0, 5, 20), Long);

        var slots = await Leases.ReadAsync(taskQueue);

        Assert.Equal(new TaskQueueSlots(2, 1, 50, 8, 40), slots);
    }

    [Fact]
    public async Task RenewAsync_SameWorkerAgain_ReplacesItsCount()
    {
        await ConnectAsync();
        await Leases.RenewAsync(taskQueue, "worker-a", new WorkerSlots(0, 0, 7, 20), Long);
        await Leases.RenewAsync(taskQueue, "worker-a", new WorkerSlots(0, 0, 2, 20), Long);

        Assert.Equal(new TaskQueueSlots(1, 0, 0, 2, 20), await Leases.ReadAsync(taskQueue));
    }

    [Fact]
    public async Task RenewAsync_WritesTheWireJsonThatWorkersAndTheScalerOfEveryReleaseShare()
    {
        await ConnectAsync();
        var slots = new WorkerSlots(1, 50, 3, 20);

        await Leases.RenewAsync(taskQueue, "worker-a", slots, Long);
        // A lease of an older worker (reflection over the wire options), spelled as a client may spell it.
        await Database.HashSetAsync(InFlightLeases.KeyFor(taskQueue), "worker-old", JsonSerializer.Serialize(new WorkerSlots(0, 0, 2, 20), WireJson.Options).Replace("activityUsed", "ActivityUsed", StringComparison.Ordinal));
        await Database.SortedSetAddAsync(InFlightLeases.KeyFor(taskQueue) + ":expiry", "worker-old", DateTimeOffset.UtcNow.Add(Long).ToUnixTimeMilliseconds());

        Assert.Equal(JsonSerializer.Serialize(slots, WireJson.Options), (string?)await Database.HashGetAsync(InFlightLeases.KeyFor(taskQueue), "worker-a"));
        Assert.Equal(new TaskQueueSlots(2, 1, 50, 5, 40), await Leases.ReadAsync(taskQueue));
    }

    [Fact]
    public async Task ReleaseAsync_OneOfTwoWorkers_OnlyTheOtherCounted()
    {
        await ConnectAsync();
        await Leases.RenewAsync(taskQueue, "worker-a", new WorkerSlots(0, 0, 4, 20), Long);
        await Leases.RenewAsync(taskQueue, "worker-b", new WorkerSlots(0, 0, 6, 20), Long);

        await Leases.ReleaseAsync(taskQueue, "worker-a");

        Assert.Equal(new TaskQueueSlots(1, 0, 0, 6, 20), await Leases.ReadAsync(taskQueue));
        Assert.False(await Database.HashExistsAsync(InFlightLeases.KeyFor(taskQueue), "worker-a"));
    }

    [Fact]
    public async Task ReadAsync_LeaseNotRenewedWithinTtl_ExpiresOnItsOwn()
    {
        await ConnectAsync();
        await Leases.RenewAsync(taskQueue, "killed", new WorkerSlots(0, 0, 9, 20), TimeSpan.FromMilliseconds(300));
        await Leases.RenewAsync(taskQueue, "alive", new WorkerSlots(0, 0, 1, 20), Long);

        await Eventually.TrueAsync(async () => (await Leases.ReadAsync(taskQueue)).Workers == 1, ExpiryBound, "the unrenewed lease expires");

        Assert.Equal(new TaskQueueSlots(1, 0, 0, 1, 20), await Leases.ReadAsync(taskQueue));
        Assert.False(await Database.HashExistsAsync(InFlightLeases.KeyFor(taskQueue), "killed"));
    }

    [Fact]
    public async Task ReadAsync_LastLeaseExpired_KeysGoneFromRedis()
    {
        await ConnectAsync();
        await Leases.RenewAsync(taskQueue, "killed", new WorkerSlots(0, 0, 9, 20), TimeSpan.FromMilliseconds(300));

        await Eventually.TrueAsync(() => !Database.KeyExists(InFlightLeases.KeyFor(taskQueue)), ExpiryBound, "Redis expires the hash itself");

        Assert.Equal(TaskQueueSlots.None, await Leases.ReadAsync(taskQueue));
        Assert.False(await Database.KeyExistsAsync(InFlightLeases.KeyFor(taskQueue) + ":expiry"));
    }

    [Fact]
    public async Task RenewAsync_ShortTtlAfterLongOne_DoesNotCutTheLongLeaseShort()
    {
        await ConnectAsync();
        await Leases.RenewAsync(taskQueue, "long", new WorkerSlots(0, 0, 2, 20), Long);
        await Leases.RenewAsync(taskQueue, "short", new WorkerSlots(0, 0, 5, 20), TimeSpan.FromMilliseconds(300));

        await Eventually.TrueAsync(async () => (await Leases.ReadAsync(taskQueue)).Workers < 2, ExpiryBound, "the short lease expires");

        Assert.Equal(new TaskQueueSlots(1, 0, 0, 2, 20), await Leases.ReadAsync(taskQueue));
        Assert.True(await Database.KeyTimeToLiveAsync(InFlightLeases.KeyFor(taskQueue)) > TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"workflowUsed\":0,\"workflowCapacity\":0,\"activityUsed\":-3,\"activityCapacity\":20}")]
    [InlineData("{\"workflowUsed\":0,\"workflowCapacity\":0,\"activityUsed\":2147483647,\"activityCapacity\":20}")]
    [InlineData("null")]
    [InlineData("")]
    public async Task ReadAsync_CorruptLeaseField_IgnoredAndOthersStillSummed(string corrupt)
    {
        await ConnectAsync();
        await Leases.RenewAsync(taskQueue, "good", new WorkerSlots(0, 0, 3, 20), Long);
        await Leases.RenewAsync(taskQueue, "corrupt", new WorkerSlots(0, 0, 0, 20), Long);
        await Database.HashSetAsync(InFlightLeases.KeyFor(taskQueue), "corrupt", corrupt);

        Assert.Equal(new TaskQueueSlots(1, 0, 0, 3, 20), await Leases.ReadAsync(taskQueue));
    }

    [Fact]
    public async Task ReadAsync_FieldWithoutExpiry_NotCountedAndRemoved()
    {
        await ConnectAsync();
        await Leases.RenewAsync(taskQueue, "good", new WorkerSlots(0, 0, 3, 20), Long);
        await Database.HashSetAsync(InFlightLeases.KeyFor(taskQueue), "orphan", "{\"workflowUsed\":0,\"workflowCapacity\":0,\"activityUsed\":8,\"activityCapacity\":20}");

        var slots = await Leases.ReadAsync(taskQueue);

        Assert.Equal(new TaskQueueSlots(1, 0, 0, 3, 20), slots);
        Assert.False(await Database.HashExistsAsync(InFlightLeases.KeyFor(taskQueue), "orphan"));
    }

    [Fact]
    public async Task ReadAsync_NoLeaseEver_None()
    {
        await ConnectAsync();
        Assert.Equal(TaskQueueSlots.None, await Leases.ReadAsync(taskQueue));
    }

    /// <summary>In the test, not in a constructor: a run without Redis skips the test, it does not fail it.</summary>
    private async Task ConnectAsync() => redis = await shared.ConnectAsync();

    public async ValueTask DisposeAsync()
    {
        if (redis is not null)
        {
            await Database.KeyDeleteAsync([InFlightLeases.KeyFor(taskQueue), InFlightLeases.KeyFor(taskQueue) + ":expiry"]);
        }
    }
}

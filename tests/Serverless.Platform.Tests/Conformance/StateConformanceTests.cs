using System.Text;
using Serverless.Platform.State;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Conformance;

/// <summary>
/// Dapr's <c>state.redis</c> behaviour (platform-semantics §6; components-contrib state/redis/redis.go,
/// state/bulk.go; dapr/dapr pkg/api/grpc) as scenarios: each acts through an adapter and checks what
/// the adapter answers and what Redis then holds (key type, hash fields, TTL, commands). Every
/// scenario runs against the direct adapter and, where daprd exists, the sidecar, with one set of expectations.
/// </summary>
public sealed class StateConformanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Cart(string Customer, int Items);

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task Save_NewKey_LeavesHashWithJsonDataAndVersionOne(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var key = PlatformServices.Unique("save");

        Assert.True(await rig.State.TrySaveAsync(key, new Cart("c", 2), new StateWrite(), Ct));

        var hash = await rig.HashAsync(key);
        Assert.Equal(["data", "version"], hash.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("""{"customer":"c","items":2}""", Encoding.UTF8.GetString(hash["data"]));
        Assert.Equal("1", Encoding.UTF8.GetString(hash["version"]));
        Assert.Null(await rig.Redis.KeyTimeToLiveAsync(key));
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task SaveBytes_NonJsonValue_StoredAsIsAndReadBackExactly(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var key = PlatformServices.Unique("bytes");
        byte[] value = [0x00, 0xFF, 0x10, 0x7B, 0xC3];

        Assert.True(await rig.State.TrySaveBytesAsync(key, value, new StateWrite(), Ct));

        Assert.Equal(value, (await rig.HashAsync(key))["data"]);
        var read = await rig.State.GetBytesAsync(key, Ct);
        Assert.Equal(value, read!.Value.ToArray());
        Assert.Equal("1", read.ETag);
        var typed = await Assert.ThrowsAsync<UnreadableStateException>(() => rig.State.GetAsync<Cart>(key, Ct));
        Assert.Contains("GetBytesAsync", typed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task GetBytes_HashDaprAppSavedAsRawBytes_ReadsTheBytesAndItsETag(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var key = PlatformServices.Unique("grpc");
        // A Dapr app's SaveState over gRPC with raw bytes, saved three times: data is the bytes as given.
        byte[] protobuf = [0x0A, 0x03, 0x61, 0x62, 0x63, 0x10, 0x96, 0x01];
        await rig.Redis.HashSetAsync(key, [new("data", protobuf), new("version", "3")]);

        var read = await rig.State.GetBytesAsync(key, Ct);

        Assert.Equal(protobuf, read!.Value.ToArray());
        Assert.Equal("3", read.ETag);
        var bulk = Assert.Single(await rig.State.GetBulkAsync<Cart>([key], Ct));
        Assert.False(bulk.Found);
        Assert.Contains("does not hold a Cart in JSON", bulk.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task GetBulk_BrokenAndLegacyKeys_EachReportedOnItsOwnAsWhenReadAlone(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var (good, legacy, broken, missing) = (PlatformServices.Unique("good"), PlatformServices.Unique("legacy"), PlatformServices.Unique("broken"), PlatformServices.Unique("missing"));
        await rig.State.TrySaveAsync(good, new Cart("g", 1), new StateWrite(), Ct);
        await rig.Redis.StringSetAsync(legacy, """{"customer":"l","items":4}""");
        await rig.Redis.HashSetAsync(broken, "data", """{"customer":"b","items":1}""");

        var items = await rig.State.GetBulkAsync<Cart>([good, legacy, broken, missing], Ct);

        Assert.Equal([good, legacy, broken, missing], items.Select(i => i.Key));
        Assert.Equal(new StateEntry<Cart>(new Cart("g", 1), "1"), items[0].Entry);
        Assert.Equal(new StateEntry<Cart>(new Cart("l", 4), null), items[1].Entry);
        Assert.Equal(await rig.State.GetAsync<Cart>(legacy, Ct), items[1].Entry);
        Assert.False(items[2].Found);
        Assert.Contains("'version'", items[2].Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnreadableStateException>(() => rig.State.GetAsync<Cart>(broken, Ct));
        Assert.Equal(new BulkStateEntry<Cart>(missing, null), items[3]);
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task SaveBulk_OneItemWithStaleETag_RefusedAloneOthersSavedWithTheirTtl(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var (matching, stale, fresh) = (PlatformServices.Unique("match"), PlatformServices.Unique("stale"), PlatformServices.Unique("fresh"));
        await rig.State.TrySaveAsync(matching, new Cart("m", 1), new StateWrite(), Ct);
        await rig.State.TrySaveAsync(stale, new Cart("s", 1), new StateWrite(), Ct);

        var saved = await rig.State.TrySaveBulkAsync(
            [
                StateOperation.Save(matching, new Cart("m", 2), new StateWrite(ETag: "1")),
                StateOperation.Save(stale, new Cart("s", 2), new StateWrite(ETag: "9")),
                StateOperation.Save(fresh, new Cart("f", 1), new StateWrite(TtlInSeconds: 60)),
            ],
            Ct);

        Assert.False(saved);
        Assert.Equal("2", Encoding.UTF8.GetString((await rig.HashAsync(matching))["version"]));
        Assert.Equal(new StateEntry<Cart>(new Cart("s", 1), "1"), await rig.State.GetAsync<Cart>(stale, Ct));
        Assert.Equal("1", Encoding.UTF8.GetString((await rig.HashAsync(fresh))["version"]));
        Assert.InRange((await rig.Redis.KeyTimeToLiveAsync(fresh))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Null(await rig.Redis.KeyTimeToLiveAsync(matching));
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task SaveBulk_NonPositiveTtl_PersistsKeyThatHadOne(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var (expiring, other) = (PlatformServices.Unique("exp"), PlatformServices.Unique("other"));
        await rig.State.TrySaveAsync(expiring, new Cart("e", 1), new StateWrite(TtlInSeconds: 300), Ct);

        Assert.True(await rig.State.TrySaveBulkAsync(
            [StateOperation.Save(expiring, new Cart("e", 2), new StateWrite(TtlInSeconds: -1)), StateOperation.SaveBytes(other, "x"u8.ToArray())], Ct));

        Assert.Null(await rig.Redis.KeyTimeToLiveAsync(expiring));
        Assert.Equal("x"u8.ToArray(), (await rig.HashAsync(other))["data"]);
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task SaveBulk_FirstWriteKeyWithoutETag_ThrowsConflictAfterSavingTheOthers(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var (guarded, plain) = (PlatformServices.Unique("guarded"), PlatformServices.Unique("plain"));
        await rig.State.TrySaveAsync(guarded, new Cart("g", 1), new StateWrite(Concurrency: StateConcurrency.FirstWrite), Ct);

        await Assert.ThrowsAsync<StateConflictException>(() => rig.State.TrySaveBulkAsync(
            [StateOperation.Save(guarded, new Cart("g", 2)), StateOperation.Save(plain, new Cart("p", 1))], Ct));

        Assert.Equal("1", Encoding.UTF8.GetString((await rig.HashAsync(guarded))["version"]));
        Assert.True(await rig.Redis.KeyExistsAsync(plain));
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task DeleteBulk_OneStaleETag_KeepsThatKeyDeletesTheOthers(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var (matching, stale, unconditional, absent) = (PlatformServices.Unique("m"), PlatformServices.Unique("s"), PlatformServices.Unique("u"), PlatformServices.Unique("a"));
        foreach (var key in new[] { matching, stale, unconditional })
        {
            await rig.State.TrySaveAsync(key, new Cart(key, 1), new StateWrite(), Ct);
        }

        var deleted = await rig.State.TryDeleteBulkAsync(
            [StateOperation.Delete(matching, "1"), StateOperation.Delete(stale, "5"), StateOperation.Delete(unconditional), StateOperation.Delete(absent, "3")], Ct);

        Assert.False(deleted);
        var remaining = await Task.WhenAll(new[] { matching, stale, unconditional, absent }.Select(k => rig.Redis.KeyExistsAsync(k)));
        Assert.Equal([false, true, false, false], remaining);
        Assert.True(await rig.State.TryDeleteBulkAsync([StateOperation.Delete(stale, "1")], Ct));
        Assert.False(await rig.Redis.KeyExistsAsync(stale));
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task Transaction_AllMatch_AppliedInOneMultiExecWithoutFirstWriteFlag(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var (guarded, plain, doomed) = (PlatformServices.Unique("txa"), PlatformServices.Unique("txb"), PlatformServices.Unique("txd"));
        await rig.State.TrySaveAsync(doomed, new Cart("d", 1), new StateWrite(), Ct);
        await using var monitor = await RedisMonitor.StartAsync(rig.RedisAddress);

        await rig.State.ExecuteTransactionAsync(
            [
                StateOperation.Save(guarded, new Cart("a", 1), new StateWrite(Concurrency: StateConcurrency.FirstWrite, TtlInSeconds: 60)),
                StateOperation.Save(plain, new Cart("b", 1)),
                StateOperation.Delete(doomed, "1"),
            ],
            Ct);

        // Dapr's Multi never passes the first-write argument, so the flag is not set on this path.
        Assert.Equal(["data", "version"], (await rig.HashAsync(guarded)).Keys.Order(StringComparer.Ordinal));
        Assert.InRange((await rig.Redis.KeyTimeToLiveAsync(guarded))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal(new StateEntry<Cart>(new Cart("b", 1), "1"), await rig.State.GetAsync<Cart>(plain, Ct));
        Assert.False(await rig.Redis.KeyExistsAsync(doomed));
        var commands = (await monitor.CommandsOfClientAsync(guarded, "EXEC")).Select(c => c[0].ToUpperInvariant()).ToList();
        Assert.Contains("MULTI", commands);
        Assert.Equal(3, commands.Count(c => c is "EVAL" or "EVALSHA"));
        Assert.Contains("EXPIRE", commands);
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task Transaction_OneStaleETag_ThrowsAndKeepsTheOtherOperationsApplied(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var (stale, matching, created) = (PlatformServices.Unique("txs"), PlatformServices.Unique("txm"), PlatformServices.Unique("txc"));
        await rig.State.TrySaveAsync(stale, new Cart("s", 1), new StateWrite(), Ct);
        await rig.State.TrySaveAsync(matching, new Cart("m", 1), new StateWrite(), Ct);

        await Assert.ThrowsAsync<StateTransactionException>(() => rig.State.ExecuteTransactionAsync(
            [
                StateOperation.Save(stale, new Cart("s", 2), new StateWrite(ETag: "7", TtlInSeconds: 120)),
                StateOperation.Save(matching, new Cart("m", 2), new StateWrite(ETag: "1")),
                StateOperation.Save(created, new Cart("c", 1)),
            ],
            Ct));

        // No rollback: the matching write and the new key stay. The refused key keeps its value, yet
        // gets the TTL, because Dapr queues EXPIRE as a command of its own after the refused script.
        Assert.Equal(new StateEntry<Cart>(new Cart("s", 1), "1"), await rig.State.GetAsync<Cart>(stale, Ct));
        Assert.InRange((await rig.Redis.KeyTimeToLiveAsync(stale))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(120));
        Assert.Equal(new StateEntry<Cart>(new Cart("m", 2), "2"), await rig.State.GetAsync<Cart>(matching, Ct));
        Assert.Equal(new StateEntry<Cart>(new Cart("c", 1), "1"), await rig.State.GetAsync<Cart>(created, Ct));
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task Transaction_NonNumericETag_RefusedBeforeAnythingIsApplied(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var (first, second) = (PlatformServices.Unique("txi"), PlatformServices.Unique("txj"));

        await Assert.ThrowsAsync<InvalidETagException>(() => rig.State.ExecuteTransactionAsync(
            [StateOperation.Save(first, new Cart("a", 1)), StateOperation.Save(second, new Cart("b", 1), new StateWrite(ETag: "abc"))], Ct));

        Assert.False(await rig.Redis.KeyExistsAsync(first));
        Assert.False(await rig.Redis.KeyExistsAsync(second));
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task Save_TtlMetadata_PositiveExpiresNonPositivePersistsAbsentKeeps(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var key = PlatformServices.Unique("ttl");

        await rig.State.TrySaveAsync(key, new Cart("t", 1), new StateWrite(TtlInSeconds: 60), Ct);
        Assert.InRange((await rig.Redis.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        await rig.State.TrySaveAsync(key, new Cart("t", 2), new StateWrite(), Ct);
        Assert.NotNull(await rig.Redis.KeyTimeToLiveAsync(key));
        await rig.State.TrySaveAsync(key, new Cart("t", 3), new StateWrite(TtlInSeconds: 0), Ct);
        Assert.Null(await rig.Redis.KeyTimeToLiveAsync(key));
        Assert.Equal(RedisType.Hash, await rig.Redis.KeyTypeAsync(key));
    }
}

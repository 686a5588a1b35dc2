using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.State;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.State;

/// <summary>
/// The direct adapter against a real Redis, checked field by field against Dapr's <c>state.redis</c>
/// layout and rules (platform-semantics §6.2–6.3).
/// </summary>
public sealed class RedisStateStoreTests(SharedRedis shared) : IAsyncLifetime
{
    /// <summary>What DaprClientBuilder uses unless told otherwise.</summary>
    private static readonly JsonSerializerOptions DaprClientDefaults = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string prefix = PlatformServices.Unique("test");
    private ServiceProvider services = null!;
    private IStateStore store = null!;
    private IDatabase redis = null!;

    public sealed record Cart(string Customer, int Items, decimal Total);

    public async ValueTask InitializeAsync()
    {
        services = PlatformServices.Build(
            new Dictionary<string, string?> { ["Redis:Configuration"] = shared.Address, ["State:KeyPrefix"] = prefix },
            (s, c) => s.AddServerlessState(c));
        store = services.GetRequiredService<IStateStore>();
        redis = await shared.DatabaseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
    }

    [Fact]
    public async Task TrySave_NewKey_WritesDaprHashWithDataAndVersionOne()
    {
        var cart = new Cart("c-1", 3, 12.50m);

        Assert.True(await store.TrySaveAsync("cart-1", cart, new StateWrite(), Ct));

        var fields = (await redis.HashGetAllAsync($"{prefix}||cart-1")).ToDictionary(f => f.Name.ToString(), f => (byte[])f.Value!);
        Assert.Equal(["data", "version"], fields.Keys.Order(StringComparer.Ordinal));
        // Exactly the bytes DaprClient sends: System.Text.Json with its Web defaults (camelCase).
        Assert.Equal("""{"customer":"c-1","items":3,"total":12.50}""", Encoding.UTF8.GetString(fields["data"]));
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(cart, DaprClientDefaults), fields["data"]);
        Assert.Equal("1", Encoding.UTF8.GetString(fields["version"]));
    }

    [Fact]
    public async Task GetAsync_AfterTwoWrites_ReturnsValueAndVersionAsETag()
    {
        await store.TrySaveAsync("cart-2", new Cart("c-2", 1, 1m), new StateWrite(), Ct);
        await store.TrySaveAsync("cart-2", new Cart("c-2", 2, 2m), new StateWrite(), Ct);

        var entry = await store.GetAsync<Cart>("cart-2", Ct);

        Assert.Equal(new StateEntry<Cart>(new Cart("c-2", 2, 2m), "2"), entry);
        Assert.Null(await store.GetAsync<Cart>("absent", Ct));
    }

    [Fact]
    public async Task GetAsync_HashWrittenByDapr_ReadsDataAndVersion()
    {
        // What daprd leaves after two saves of {"customer":"d","items":1,"total":3}.
        await redis.HashSetAsync($"{prefix}||from-dapr", [new("data", """{"customer":"d","items":1,"total":3}"""), new("version", "2")]);

        var entry = await store.GetAsync<Cart>("from-dapr", Ct);

        Assert.Equal(new StateEntry<Cart>(new Cart("d", 1, 3m), "2"), entry);
    }

    [Fact]
    public async Task TrySave_ETagMismatch_ReturnsFalseAndKeepsValue()
    {
        await store.TrySaveAsync("k", new Cart("a", 1, 1m), new StateWrite(), Ct);

        Assert.False(await store.TrySaveAsync("k", new Cart("b", 2, 2m), new StateWrite(ETag: "7"), Ct));
        Assert.True(await store.TrySaveAsync("k", new Cart("c", 3, 3m), new StateWrite(ETag: "1"), Ct));

        Assert.Equal(new StateEntry<Cart>(new Cart("c", 3, 3m), "2"), await store.GetAsync<Cart>("k", Ct));
    }

    [Fact]
    public async Task TrySave_ETagForAbsentKey_Succeeds()
    {
        // Dapr's script accepts any ETag while the key does not exist (§6.2).
        Assert.True(await store.TrySaveAsync("new", new Cart("a", 1, 1m), new StateWrite(ETag: "42"), Ct));
        Assert.Equal("1", (await store.GetAsync<Cart>("new", Ct))!.ETag);
    }

    [Fact]
    public async Task TrySave_ETagZeroOnLastWriteKey_ActsAsWildcard()
    {
        await store.TrySaveAsync("z", new Cart("a", 1, 1m), new StateWrite(), Ct);
        await store.TrySaveAsync("z", new Cart("a", 1, 1m), new StateWrite(), Ct);

        Assert.True(await store.TrySaveAsync("z", new Cart("b", 1, 1m), new StateWrite(ETag: "0"), Ct));
        Assert.Equal("3", (await store.GetAsync<Cart>("z", Ct))!.ETag);
    }

    [Fact]
    public async Task TrySave_NumericETagWithLeadingZeros_MatchesAsInteger()
    {
        await redis.HashSetAsync($"{prefix}||lead", [new("data", "{}"), new("version", "7")]);

        Assert.True(await store.TrySaveAsync("lead", new Cart("a", 1, 1m), new StateWrite(ETag: "007"), Ct));
        Assert.Equal("8", (await store.GetAsync<Cart>("lead", Ct))!.ETag);
    }

    [Fact]
    public async Task TrySave_NonNumericETag_IsInvalid()
    {
        await Assert.ThrowsAsync<InvalidETagException>(() => store.TrySaveAsync("bad", new Cart("a", 1, 1m), new StateWrite(ETag: "abc"), Ct));
        Assert.False(await redis.KeyExistsAsync($"{prefix}||bad"));
    }

    [Fact]
    public async Task TrySave_LastWriteConcurrency_IgnoresStaleETag()
    {
        await store.TrySaveAsync("lw", new Cart("a", 1, 1m), new StateWrite(), Ct);
        await store.TrySaveAsync("lw", new Cart("a", 1, 1m), new StateWrite(), Ct);

        Assert.True(await store.TrySaveAsync("lw", new Cart("b", 1, 1m), new StateWrite(ETag: "1", Concurrency: StateConcurrency.LastWrite), Ct));
        Assert.Equal("3", (await store.GetAsync<Cart>("lw", Ct))!.ETag);
    }

    [Fact]
    public async Task TrySave_FirstWrite_MarksKeyAndThenRequiresExactETag()
    {
        var firstWrite = new StateWrite(Concurrency: StateConcurrency.FirstWrite);

        Assert.True(await store.TrySaveAsync("fw", new Cart("a", 1, 1m), firstWrite, Ct));
        Assert.Equal("0", (string?)await redis.HashGetAsync($"{prefix}||fw", "first-write"));

        // Afterwards: no ETag is a conflict (an error, not an ETag mismatch, as in Dapr), "0" is no wildcard, a stale ETag fails.
        await Assert.ThrowsAsync<StateConflictException>(() => store.TrySaveAsync("fw", new Cart("b", 1, 1m), new StateWrite(), Ct));
        await Assert.ThrowsAsync<StateConflictException>(() => store.TrySaveAsync("fw", new Cart("b", 1, 1m), firstWrite, Ct));
        Assert.False(await store.TrySaveAsync("fw", new Cart("b", 1, 1m), new StateWrite(ETag: "0"), Ct));
        Assert.False(await store.TrySaveAsync("fw", new Cart("b", 1, 1m), new StateWrite(ETag: "5"), Ct));
        Assert.False(await store.TrySaveAsync("fw", new Cart("b", 1, 1m), new StateWrite(ETag: "5", Concurrency: StateConcurrency.LastWrite), Ct));
        Assert.True(await store.TrySaveAsync("fw", new Cart("c", 1, 1m), new StateWrite(ETag: "1"), Ct));
        Assert.Equal(new StateEntry<Cart>(new Cart("c", 1, 1m), "2"), await store.GetAsync<Cart>("fw", Ct));
    }

    [Fact]
    public async Task TrySave_FirstWriteOnKeyCreatedWithLastWrite_IsNotEnforced()
    {
        await store.TrySaveAsync("mixed", new Cart("a", 1, 1m), new StateWrite(), Ct);

        Assert.True(await store.TrySaveAsync("mixed", new Cart("b", 1, 1m), new StateWrite(Concurrency: StateConcurrency.FirstWrite), Ct));
        Assert.Equal("2", (await store.GetAsync<Cart>("mixed", Ct))!.ETag);
    }

    [Fact]
    public async Task LegacyPlainStringKey_ReadWithoutETagThenReplacedByHash()
    {
        await redis.StringSetAsync($"{prefix}||legacy", """{"customer":"old","items":1,"total":1}""");

        var legacy = await store.GetAsync<Cart>("legacy", Ct);
        Assert.Equal(new StateEntry<Cart>(new Cart("old", 1, 1m), null), legacy);

        Assert.True(await store.TrySaveAsync("legacy", new Cart("new", 2, 2m), new StateWrite(ETag: "9"), Ct));
        Assert.Equal(RedisType.Hash, await redis.KeyTypeAsync($"{prefix}||legacy"));
        Assert.Equal(new StateEntry<Cart>(new Cart("new", 2, 2m), "1"), await store.GetAsync<Cart>("legacy", Ct));
    }

    [Fact]
    public async Task TryDelete_FollowsDaprRules()
    {
        await store.TrySaveAsync("d", new Cart("a", 1, 1m), new StateWrite(), Ct);

        Assert.False(await store.TryDeleteAsync("d", "5", Ct));
        Assert.True(await redis.KeyExistsAsync($"{prefix}||d"));
        Assert.True(await store.TryDeleteAsync("d", "1", Ct));
        Assert.False(await redis.KeyExistsAsync($"{prefix}||d"));
        Assert.True(await store.TryDeleteAsync("d", "5", Ct));

        await store.TrySaveAsync("d2", new Cart("a", 1, 1m), new StateWrite(Concurrency: StateConcurrency.FirstWrite), Ct);
        Assert.True(await store.TryDeleteAsync("d2", null, Ct));
        Assert.False(await redis.KeyExistsAsync($"{prefix}||d2"));
    }

    [Fact]
    public async Task TrySave_Ttl_ExpiresAndNonPositivePersists()
    {
        await store.TrySaveAsync("ttl", new Cart("a", 1, 1m), new StateWrite(TtlInSeconds: 60), Ct);
        var ttl = await redis.KeyTimeToLiveAsync($"{prefix}||ttl");
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        await store.TrySaveAsync("ttl", new Cart("a", 2, 1m), new StateWrite(TtlInSeconds: -1), Ct);
        Assert.Null(await redis.KeyTimeToLiveAsync($"{prefix}||ttl"));

        await store.TrySaveAsync("ttl", new Cart("a", 3, 1m), new StateWrite(TtlInSeconds: 30), Ct);
        await store.TrySaveAsync("ttl", new Cart("a", 4, 1m), new StateWrite(), Ct);
        // No TTL named and no component default: Dapr sends neither EXPIRE nor PERSIST, the old TTL stays.
        Assert.NotNull(await redis.KeyTimeToLiveAsync($"{prefix}||ttl"));
    }

    [Fact]
    public async Task TrySave_ComponentDefaultTtl_AppliesWhenWriteNamesNone()
    {
        var withDefault = PlatformServices.Build(
            new Dictionary<string, string?> { ["Redis:Configuration"] = Engines.RequireRedis(), ["State:KeyPrefix"] = prefix, ["State:DefaultTtlInSeconds"] = "120" },
            (s, c) => s.AddServerlessState(c));
        await using var _ = withDefault;
        var defaulted = withDefault.GetRequiredService<IStateStore>();

        await defaulted.TrySaveAsync("dttl", new Cart("a", 1, 1m), new StateWrite(), Ct);

        Assert.InRange((await redis.KeyTimeToLiveAsync($"{prefix}||dttl"))!.Value, TimeSpan.FromSeconds(61), TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task GetBulk_ReturnsEveryKeyInOrderWithETags()
    {
        await store.TrySaveAsync("b1", new Cart("one", 1, 1m), new StateWrite(), Ct);
        await store.TrySaveAsync("b3", new Cart("three", 3, 3m), new StateWrite(), Ct);
        await store.TrySaveAsync("b3", new Cart("three", 3, 3m), new StateWrite(), Ct);

        var items = await store.GetBulkAsync<Cart>(["b1", "b2", "b3"], Ct);

        Assert.Equal(
            [
                new BulkStateEntry<Cart>("b1", new StateEntry<Cart>(new Cart("one", 1, 1m), "1")),
                new BulkStateEntry<Cart>("b2", null),
                new BulkStateEntry<Cart>("b3", new StateEntry<Cart>(new Cart("three", 3, 3m), "2")),
            ],
            items);
    }

    [Fact]
    public async Task Operations_RedisUnreachable_ThrowUnavailable()
    {
        await using var down = PlatformServices.Build(
            new Dictionary<string, string?> { ["Redis:Configuration"] = $"127.0.0.1:{RedisServer.FreePort()}", ["Redis:ConnectTimeout"] = "00:00:01", ["State:KeyPrefix"] = prefix },
            (s, c) => s.AddServerlessState(c));
        var unreachable = down.GetRequiredService<IStateStore>();

        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => unreachable.GetAsync<Cart>("x", Ct));
        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => unreachable.TrySaveAsync("x", new Cart("a", 1, 1m), new StateWrite(), Ct));
    }
}

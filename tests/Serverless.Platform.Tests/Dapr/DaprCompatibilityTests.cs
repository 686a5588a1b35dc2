using System.Text.Json;
using Dapr.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Platform.Environments;
using Serverless.Platform.Json;
using Serverless.Platform.Messaging;
using Serverless.Platform.State;
using Serverless.Testing;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Dapr;

/// <summary>
/// Both adapters against one Redis through a real Dapr sidecar: what one writes, the other reads,
/// byte for byte. Needs <c>daprd</c> (not installable here): set <c>SERVERLESS_TEST_DAPR</c> to its
/// gRPC endpoint, with a <c>state.redis</c> component <c>statestore</c> (<c>keyPrefix: none</c>) and a
/// <c>pubsub.redis</c> component <c>pubsub</c> on the Redis of <c>SERVERLESS_TEST_REDIS</c>.
/// </summary>
[RequiresEngine(RequiresEngineAttribute.Dapr)]
public sealed class DaprCompatibilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Cart(string Customer, int Items);

    [Fact]
    public async Task StateWrittenThroughSidecar_ReadsIdenticallyFromDirectAdapter()
    {
        var (dapr, direct, redis) = await ConnectAsync();
        var key = PlatformServices.Unique("cart");
        var viaDapr = new DaprStateStore(dapr, StateSettings());

        Assert.True(await viaDapr.TrySaveAsync(key, new Cart("c", 1), new StateWrite(), Ct));
        var daprBytes = (byte[])(await redis.HashGetAsync(key, "data"))!;
        Assert.True(await direct.TrySaveAsync(key + "-direct", new Cart("c", 1), new StateWrite(), Ct));

        Assert.Equal(daprBytes, (byte[])(await redis.HashGetAsync(key + "-direct", "data"))!);
        Assert.Equal(new StateEntry<Cart>(new Cart("c", 1), "1"), await direct.GetAsync<Cart>(key, Ct));
        Assert.False(await viaDapr.TrySaveAsync(key, new Cart("c", 2), new StateWrite(ETag: "9"), Ct));
    }

    [Fact]
    public async Task FirstWriteKeyFromDirectAdapter_RefusedBySidecarAlike()
    {
        var (dapr, direct, _) = await ConnectAsync();
        var key = PlatformServices.Unique("fw");
        var viaDapr = new DaprStateStore(dapr, StateSettings());
        await direct.TrySaveAsync(key, new Cart("c", 1), new StateWrite(Concurrency: StateConcurrency.FirstWrite), Ct);

        await Assert.ThrowsAsync<StateConflictException>(() => viaDapr.TrySaveAsync(key, new Cart("d", 1), new StateWrite(), Ct));
        Assert.False(await viaDapr.TrySaveAsync(key, new Cart("d", 1), new StateWrite(ETag: "0"), Ct));
        Assert.True(await viaDapr.TrySaveAsync(key, new Cart("d", 1), new StateWrite(ETag: "1"), Ct));
    }

    [Fact]
    public async Task EventPublishedThroughSidecar_KeepsOurEnvelope()
    {
        var (dapr, _, redis) = await ConnectAsync();
        var topic = PlatformServices.Unique("topic");
        var environment = Options.Create(new ServerlessEnvironmentOptions { Environment = "dev" });
        var messaging = Options.Create(new MessagingOptions { Source = "dapr-test", PubSubName = "pubsub" });
        var publisher = new DaprEventPublisher(dapr, new CloudEventFactory(messaging, environment, TimeProvider.System), messaging);

        await publisher.PublishAsync(new OutgoingEvent(topic, "evt-1", "OrderPlaced", new Cart("c", 1), "ord-1"), Ct);

        var entry = Assert.Single(await redis.StreamRangeAsync($"dev-{topic}"));
        using var json = JsonDocument.Parse((string)entry.Values.Single(v => v.Name == "data").Value!);
        Assert.Equal(("evt-1", "OrderPlaced", "dapr-test", "ord-1"), (
            json.RootElement.GetProperty("id").GetString(), json.RootElement.GetProperty("type").GetString(),
            json.RootElement.GetProperty("source").GetString(), json.RootElement.GetProperty("subject").GetString()));
        Assert.Equal($"dev-{topic}", json.RootElement.GetProperty("topic").GetString());
    }

    private static IOptions<Platform.State.StateOptions> StateSettings() => Options.Create(new Platform.State.StateOptions { KeyPrefix = "none" });

    private static async Task<(DaprClient Dapr, IStateStore Direct, IDatabase Redis)> ConnectAsync()
    {
        var address = Engines.RequireRedis();
        var sidecar = Engines.RequireDaprSidecar();
        var dapr = new DaprClientBuilder().UseGrpcEndpoint(sidecar).UseJsonSerializationOptions(WireJson.Options).Build();
        var services = PlatformServices.Build(
            new Dictionary<string, string?> { ["Redis:Configuration"] = address, ["State:KeyPrefix"] = "none" },
            (s, c) => s.AddServerlessState(c));
        var redis = (await ConnectionMultiplexer.ConnectAsync(address)).GetDatabase();
        return (dapr, services.GetRequiredService<IStateStore>(), redis);
    }
}

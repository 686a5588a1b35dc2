using Dapr.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Platform.Environments;
using Serverless.Platform.Json;
using Serverless.Platform.Messaging;
using Serverless.Platform.State;
using Serverless.Testing;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Conformance;

/// <summary>Which implementation a conformance scenario drives; every scenario runs against both.</summary>
public enum Adapter
{
    /// <summary><see cref="RedisStateStore"/> and <see cref="RedisStreamPublisher"/> straight to Redis.</summary>
    Direct,

    /// <summary><see cref="DaprStateStore"/> and <see cref="DaprEventPublisher"/> through a daprd sidecar on the same Redis.</summary>
    Sidecar,
}

/// <summary>
/// One adapter plus a raw connection to the Redis behind it, so a scenario acts through the adapter
/// and observes what Redis holds. The sidecar needs <c>daprd</c> (not installable here): set
/// <c>SERVERLESS_TEST_DAPR</c> to its gRPC endpoint, with a <c>state.redis</c> component
/// <c>statestore</c> (<c>keyPrefix: none</c>) and a <c>pubsub.redis</c> component <c>pubsub</c> (no
/// <c>maxLenApprox</c>/<c>streamTTL</c>) on the Redis of <c>SERVERLESS_TEST_REDIS</c>. Without it
/// the sidecar runs skip as engine missing.
/// </summary>
public sealed class ConformanceRig : IAsyncDisposable
{
    public const string Source = "conformance";

    private readonly ServiceProvider? services;
    private readonly DaprClient? dapr;

    private ConformanceRig(IStateStore state, IEventPublisher publisher, IDatabase redis, string address, ServiceProvider? services, DaprClient? dapr)
    {
        State = state;
        Publisher = publisher;
        Redis = redis;
        RedisAddress = address;
        this.services = services;
        this.dapr = dapr;
    }

    /// <summary>Both adapters; the sidecar's rows carry the engine trait, as they need daprd.</summary>
    public static TheoryData<Adapter> Adapters =>
    [
        new TheoryDataRow<Adapter>(Adapter.Direct),
        new TheoryDataRow<Adapter>(Adapter.Sidecar).WithTrait(RequiresEngineAttribute.Trait, RequiresEngineAttribute.Dapr),
    ];

    public IStateStore State { get; }

    public IEventPublisher Publisher { get; }

    public IDatabase Redis { get; }

    public string RedisAddress { get; }

    public static async Task<ConformanceRig> StartAsync(Adapter adapter)
    {
        var address = Engines.RequireRedis();
        var sidecar = adapter == Adapter.Sidecar ? Engines.RequireDaprSidecar() : null;
        var redis = (await ConnectionMultiplexer.ConnectAsync(address)).GetDatabase();
        if (sidecar is null)
        {
            var services = PlatformServices.Build(
                new Dictionary<string, string?> { ["Redis:Configuration"] = address, ["State:KeyPrefix"] = "none", ["Messaging:Source"] = Source },
                (s, c) => s.AddServerlessState(c).AddServerlessEventPublishing(c));
            return new ConformanceRig(services.GetRequiredService<IStateStore>(), services.GetRequiredService<IEventPublisher>(), redis, address, services, null);
        }

        var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar).UseJsonSerializationOptions(WireJson.Options).Build();
        var environment = Options.Create(new ServerlessEnvironmentOptions { Environment = "dev" });
        var messaging = Options.Create(new MessagingOptions { Source = Source, PubSubName = "pubsub" });
        var state = new DaprStateStore(client, Options.Create(new Platform.State.StateOptions { KeyPrefix = "none" }));
        var publisher = new DaprEventPublisher(client, new CloudEventFactory(messaging, environment, TimeProvider.System), messaging);
        return new ConformanceRig(state, publisher, redis, address, null, client);
    }

    /// <summary>A hash's fields as strings (<c>data</c> read as UTF-8 only where a scenario stored text).</summary>
    public async Task<Dictionary<string, byte[]>> HashAsync(string key) =>
        (await Redis.HashGetAllAsync(key)).ToDictionary(f => f.Name.ToString(), f => (byte[])f.Value!);

    public async ValueTask DisposeAsync()
    {
        await Redis.Multiplexer.DisposeAsync();
        dapr?.Dispose();
        if (services is not null)
        {
            await services.DisposeAsync();
        }
    }
}

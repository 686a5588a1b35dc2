using Serverless.Functions.Tests.Doubles;

namespace Serverless.Functions.Tests;

/// <summary>One self-hosted functions app per test class, with Temporal and the read model in memory.</summary>
public sealed class RecordedFunctionsFixture : IAsyncLifetime
{
    public RecordingTemporal Temporal { get; } = new();

    public InMemoryOrderReadModel ReadModel { get; } = new();

    public FunctionsHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await FunctionsHost.StartAsync(Temporal, ReadModel);

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}

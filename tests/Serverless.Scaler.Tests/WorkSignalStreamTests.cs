using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Serverless.Scaler.Grpc;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Scaler.Tests;

/// <summary>The work signal of a Redis stream over real gRPC against real Redis, on a test clock for the activation window.</summary>
public sealed class WorkSignalStreamTests(SharedRedis shared) : IAsyncLifetime
{
    private const int WindowSeconds = 120;
    private readonly string stream = $"scaler-work-{Guid.NewGuid():N}";
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private IConnectionMultiplexer redis = null!;
    private string redisAddress = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IDatabase Database => redis.GetDatabase();

    public async ValueTask InitializeAsync()
    {
        redisAddress = Engines.RequireRedis();
        redis = await shared.ConnectAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (redis is not null)
        {
            await Database.KeyDeleteAsync(stream);
        }
    }

    [Fact]
    public async Task GetMetrics_WorkSignal_CountsLagPlusPending()
    {
        await using var scaler = await StartAsync(TimeSpan.FromSeconds(2));
        await Database.StreamCreateConsumerGroupAsync(stream, "workers", "$", createStream: true);
        for (var i = 0; i < 7; i++)
        {
            await Database.StreamAddAsync(stream, "data", i);
        }

        // 3 delivered to a consumer, 1 of them acknowledged: 4 undelivered + 2 in flight.
        var delivered = await Database.StreamReadGroupAsync(stream, "workers", "c1", ">", count: 3);
        await Database.StreamAcknowledgeAsync(stream, "workers", delivered[0].Id);

        Assert.Equal(6, await MetricAsync(scaler, Work()));
        Assert.Equal(4, await MetricAsync(scaler, Work(signal: "backlog", window: null)));
    }

    [Fact]
    public async Task GetMetrics_WorkSignalMissingStreamOrGroup_ReadsZeroOrTheWholeStream()
    {
        await using var scaler = await StartAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await MetricAsync(scaler, Work()));

        await Database.StreamAddAsync(stream, "data", 1);
        await Database.StreamAddAsync(stream, "data", 2);

        Assert.Equal(2, await MetricAsync(scaler, Work()));
    }

    [Fact]
    public async Task IsActive_WorkSignalOneArrivalHandled_ActiveWithMetricZeroUntilTheWindowPasses()
    {
        await using var scaler = await StartAsync(TimeSpan.FromSeconds(2));
        await Database.StreamCreateConsumerGroupAsync(stream, "workers", "$", createStream: true);
        Assert.False(await IsActiveAsync(scaler));

        await HandleOneEntryAsync();

        Assert.Equal(0, await MetricAsync(scaler, Work()));
        Assert.True(await IsActiveAsync(scaler));
        clock.Advance(TimeSpan.FromSeconds(WindowSeconds - 1));
        Assert.True(await IsActiveAsync(scaler));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await IsActiveAsync(scaler));
        Assert.False(await IsActiveAsync(scaler, Work(signal: "backlog", window: null)));
    }

    [Fact]
    public async Task StreamIsActive_WorkSignalIdleQueueGetsOneEntry_PushesActiveWithoutWaitingForARecheck()
    {
        await using var scaler = await StartAsync(TimeSpan.FromMinutes(5));
        await Database.StreamCreateConsumerGroupAsync(stream, "workers", "$", createStream: true);
        using var call = scaler.Client.StreamIsActive(Work(), cancellationToken: Ct);
        var next = call.ResponseStream.MoveNext(Ct);

        await Database.StreamAddAsync(stream, "data", "order-1");

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.True(call.ResponseStream.Current.Result);
    }

    [Fact]
    public async Task StreamIsActive_WorkSignalEntryHandled_KeepsPushingActiveThroughTheWindowThenInactive()
    {
        await using var scaler = await StartAsync(TimeSpan.FromMilliseconds(200));
        await Database.StreamCreateConsumerGroupAsync(stream, "workers", "$", createStream: true);
        // The first read sets the baseline of the stream's entries-added counter.
        Assert.Equal(0, await MetricAsync(scaler, Work()));
        using var call = scaler.Client.StreamIsActive(Work(), cancellationToken: Ct);

        await HandleOneEntryAsync();

        for (var push = 0; push < 4; push++)
        {
            Assert.True(await NextResultAsync(call), $"push {push} within the window");
        }

        Assert.Equal(0, await MetricAsync(scaler, Work()));
        clock.Advance(TimeSpan.FromSeconds(WindowSeconds));
        await Eventually.TrueAsync(async () => !await NextResultAsync(call), TimeSpan.FromSeconds(20), "the window passed with nothing outstanding");
    }

    [Fact]
    public async Task Calls_UnknownSignalOrBadWindow_FailWithInvalidArgumentNamingTheProblem()
    {
        await using var scaler = await StartAsync(TimeSpan.FromSeconds(2));

        var signal = await Assert.ThrowsAsync<RpcException>(async () => await scaler.Client.IsActiveAsync(Work(signal: "load"), cancellationToken: Ct));
        var window = await Assert.ThrowsAsync<RpcException>(async () => await scaler.Client.GetMetricsAsync(
            new GetMetricsRequest { ScaledObjectRef = Work(window: "2m"), MetricName = "x" }, cancellationToken: Ct));

        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (signal.StatusCode, window.StatusCode));
        Assert.Contains("scalerMetadata.signal must be 'backlog' or 'work'; got 'load'", signal.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("scalerMetadata.activationWindowSeconds must be a whole number of seconds from 0 to 86400; got '2m'", window.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>One entry added, delivered and acknowledged: nothing outstanding, but something arrived.</summary>
    private async Task HandleOneEntryAsync()
    {
        await Database.StreamAddAsync(stream, "data", "order-1");
        var delivered = Assert.Single(await Database.StreamReadGroupAsync(stream, "workers", "c1", ">"));
        await Database.StreamAcknowledgeAsync(stream, "workers", delivered.Id);
    }

    private Task<ScalerHost> StartAsync(TimeSpan recheckInterval) =>
        ScalerHost.StartAsync(redisAddress, recheckInterval, services: services => services.AddSingleton<TimeProvider>(clock));

    private ScaledObjectRef Work(string? signal = "work", string? window = "120")
    {
        var reference = new ScaledObjectRef
        {
            Name = "notifications-consumer",
            Namespace = "serverless-dev",
            ScalerMetadata =
            {
                ["source"] = "redis-streams",
                ["stream"] = stream,
                ["consumerGroup"] = "workers",
                ["lagCount"] = "5",
                ["activationLagCount"] = "0",
            },
        };
        if (signal is not null)
        {
            reference.ScalerMetadata["signal"] = signal;
        }

        if (window is not null)
        {
            reference.ScalerMetadata["activationWindowSeconds"] = window;
        }

        return reference;
    }

    private async Task<bool> IsActiveAsync(ScalerHost scaler, ScaledObjectRef? reference = null) =>
        (await scaler.Client.IsActiveAsync(reference ?? Work(), cancellationToken: Ct)).Result;

    private static async Task<double> MetricAsync(ScalerHost scaler, ScaledObjectRef reference)
    {
        var response = await scaler.Client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = reference, MetricName = "x" }, cancellationToken: Ct);
        return Assert.Single(response.MetricValues).MetricValueFloat;
    }

    private static async Task<bool> NextResultAsync(AsyncServerStreamingCall<IsActiveResponse> call)
    {
        Assert.True(await call.ResponseStream.MoveNext(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct), "the push stream ended");
        return call.ResponseStream.Current.Result;
    }
}

using System.Net;
using Grpc.Core;
using Serverless.Scaler.Grpc;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Scaler.Tests;

/// <summary>The scaler over a real gRPC connection against the real Redis of the test run.</summary>
public sealed class ExternalScalerGrpcTests(SharedRedis shared) : IAsyncLifetime
{
    private readonly string stream = $"scaler-test-{Guid.NewGuid():N}";
    private IConnectionMultiplexer redis = null!;
    private string redisAddress = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        redisAddress = Engines.RequireRedis();
        redis = await shared.ConnectAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (redis is not null)
        {
            await redis.GetDatabase().KeyDeleteAsync(stream);
        }
    }

    [Fact]
    public async Task GetMetricSpec_StreamTrigger_ReturnsMetricAndTarget()
    {
        await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromSeconds(2));

        var spec = Assert.Single((await scaler.Client.GetMetricSpecAsync(Ref(lag: 10), cancellationToken: Ct)).MetricSpecs);

        Assert.Equal($"redis-streams-{stream}-workers", spec.MetricName);
        Assert.Equal(10, spec.TargetSizeFloat);
    }

    [Fact]
    public async Task GetMetrics_GroupLag_CountsUndeliveredEntriesOnly()
    {
        await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromSeconds(2));
        var database = redis.GetDatabase();
        Assert.Equal(0, await MetricAsync(scaler));

        await database.StreamCreateConsumerGroupAsync(stream, "workers", "$", createStream: true);
        for (var i = 0; i < 7; i++)
        {
            await database.StreamAddAsync(stream, "data", i);
        }

        Assert.Equal(7, await MetricAsync(scaler));
        // Delivered (pending) entries are no longer lag: the metric ignores work in flight (§4.3).
        await database.StreamReadGroupAsync(stream, "workers", "c1", ">", count: 3);
        Assert.Equal(4, await MetricAsync(scaler));
    }

    [Fact]
    public async Task GetMetrics_NoGroupYet_CountsTheWholeStream()
    {
        await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromSeconds(2));
        await redis.GetDatabase().StreamAddAsync(stream, "data", 1);
        await redis.GetDatabase().StreamAddAsync(stream, "data", 2);

        Assert.Equal(2, await MetricAsync(scaler));
    }

    [Fact]
    public async Task IsActive_StrictlyAboveActivationThreshold()
    {
        await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromSeconds(2));
        var database = redis.GetDatabase();
        await database.StreamCreateConsumerGroupAsync(stream, "workers", "$", createStream: true);
        for (var i = 0; i < 3; i++)
        {
            await database.StreamAddAsync(stream, "data", i);
        }

        Assert.False((await scaler.Client.IsActiveAsync(Ref(lag: 5, activation: 3), cancellationToken: Ct)).Result);
        await database.StreamAddAsync(stream, "data", 4);
        Assert.True((await scaler.Client.IsActiveAsync(Ref(lag: 5, activation: 3), cancellationToken: Ct)).Result);
    }

    [Fact]
    public async Task StreamIsActive_IdleStreamGetsAnEntry_PushesActiveWithoutWaitingForARecheck()
    {
        // A recheck interval far longer than the test bound: only the blocking read can wake it.
        await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromMinutes(5));
        var database = redis.GetDatabase();
        await database.StreamCreateConsumerGroupAsync(stream, "workers", "$", createStream: true);
        using var call = scaler.Client.StreamIsActive(Ref(lag: 5), cancellationToken: Ct);
        var next = call.ResponseStream.MoveNext(Ct);

        // Whether the entry lands before or after the watcher starts reading this stream, the
        // watcher wakes the push stream (its first read of a stream always pulses once).
        await database.StreamAddAsync(stream, "data", "order-1");

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.True(call.ResponseStream.Current.Result);
    }

    [Fact]
    public async Task StreamIsActive_StreamDrainedThenNewEntry_PushesActiveAgain()
    {
        await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromMinutes(5));
        var database = redis.GetDatabase();
        await database.StreamCreateConsumerGroupAsync(stream, "workers", "$", createStream: true);
        using var call = scaler.Client.StreamIsActive(Ref(lag: 5), cancellationToken: Ct);
        await database.StreamAddAsync(stream, "data", "order-1");
        Assert.True(await NextResultAsync(call));

        // A consumer takes and acknowledges the entry: the scaler reports inactive once.
        var read = await database.StreamReadGroupAsync(stream, "workers", "c1", ">");
        await database.StreamAcknowledgeAsync(stream, "workers", read.Single().Id);
        await Eventually.TrueAsync(async () => !await NextResultAsync(call), TimeSpan.FromSeconds(20), "the scaler sees the drained stream");

        // The watcher keeps reading: the next entry wakes the queue again, without a recheck.
        await database.StreamAddAsync(stream, "data", "order-2");
        Assert.True(await NextResultAsync(call));
    }

    [Fact]
    public async Task StreamIsActive_BacklogAlreadyThere_PushesActiveAtOnce()
    {
        await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromMinutes(5));
        var database = redis.GetDatabase();
        await database.StreamCreateConsumerGroupAsync(stream, "workers", "$", createStream: true);
        await database.StreamAddAsync(stream, "data", "order-1");
        using var call = scaler.Client.StreamIsActive(Ref(lag: 5), cancellationToken: Ct);

        Assert.True(await call.ResponseStream.MoveNext(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.True(call.ResponseStream.Current.Result);
    }

    [Fact]
    public async Task Calls_InvalidMetadata_FailWithInvalidArgumentNamingTheProblem()
    {
        await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromSeconds(2));
        var request = new ScaledObjectRef { Name = "so", Namespace = "dev", ScalerMetadata = { ["source"] = "redis-streams", ["stream"] = stream } };

        var error = await Assert.ThrowsAsync<RpcException>(async () => await scaler.Client.IsActiveAsync(request, cancellationToken: Ct));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("scalerMetadata.consumerGroup is required", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notify_ValidAndInvalidKeys_AcceptsOrExplains()
    {
        await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromSeconds(2));

        var accepted = await scaler.Http.PostAsync(new Uri("notify/dev-payments", UriKind.Relative), null, Ct);
        var rejected = await scaler.Http.PostAsync(new Uri("notify/bad%20key", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
    }

    private static async Task<bool> NextResultAsync(AsyncServerStreamingCall<IsActiveResponse> call)
    {
        Assert.True(await call.ResponseStream.MoveNext(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct), "the push stream ended");
        return call.ResponseStream.Current.Result;
    }

    private ScaledObjectRef Ref(double lag, double activation = 0) => new()
    {
        Name = "notifications-consumer",
        Namespace = "serverless-dev",
        ScalerMetadata =
        {
            ["source"] = "redis-streams",
            ["stream"] = stream,
            ["consumerGroup"] = "workers",
            ["lagCount"] = lag.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["activationLagCount"] = activation.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };

    private async Task<double> MetricAsync(ScalerHost scaler)
    {
        var response = await scaler.Client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = Ref(lag: 5), MetricName = "x" }, cancellationToken: Ct);
        return Assert.Single(response.MetricValues).MetricValueFloat;
    }
}

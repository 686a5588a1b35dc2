using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Correlation;
using Serverless.Platform.Messaging;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Messaging;

/// <summary>Events written by the direct adapter, read back from Redis field by field (platform-semantics §7.1, §7.5).</summary>
public sealed class RedisStreamPublisherTests(SharedRedis shared) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string topic = PlatformServices.Unique("topic");
    private ServiceProvider services = null!;
    private IDatabase redis = null!;

    public sealed record Placed(string OrderId, decimal Total);

    private string Stream => $"dev-{topic}";

    public async ValueTask InitializeAsync()
    {
        services = Build(shared.Address);
        redis = await shared.DatabaseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await redis.KeyDeleteAsync(Stream);
        await services.DisposeAsync();
    }

    [Fact]
    public async Task Publish_WritesOneDataFieldWithDaprShapedCloudEvent()
    {
        using var listener = ListenToMessaging();
        CorrelationId.Current = "corr-42";

        await services.GetRequiredService<IEventPublisher>().PublishAsync(
            new OutgoingEvent(topic, "ord-1:OrderPlaced", "OrderPlaced", new Placed("ord-1", 9.5m), Subject: "ord-1"), Ct);

        var entry = Assert.Single(await redis.StreamRangeAsync(Stream));
        var field = Assert.Single(entry.Values);
        Assert.Equal("data", field.Name.ToString());
        using var json = JsonDocument.Parse((string)field.Value!);
        var root = json.RootElement;
        Assert.Equal(
            ["correlationid", "data", "datacontenttype", "id", "pubsubname", "source", "specversion", "subject", "time", "topic", "traceid", "traceparent", "tracestate", "type"],
            root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal("ord-1:OrderPlaced", root.GetProperty("id").GetString());
        Assert.Equal("OrderPlaced", root.GetProperty("type").GetString());
        Assert.Equal("test-publisher", root.GetProperty("source").GetString());
        Assert.Equal("ord-1", root.GetProperty("subject").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        Assert.Equal(Stream, root.GetProperty("topic").GetString());
        Assert.Equal("pubsub", root.GetProperty("pubsubname").GetString());
        Assert.Equal("corr-42", root.GetProperty("correlationid").GetString());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", root.GetProperty("traceparent").GetString());
        Assert.Equal(root.GetProperty("traceparent").GetString(), root.GetProperty("traceid").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", root.GetProperty("time").GetString());
        Assert.Equal("""{"orderId":"ord-1","total":9.5}""", root.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Publish_WithMaxLenApprox_TrimsTheStream()
    {
        await using var trimming = Build(Engines.RequireRedis(), ("Messaging:MaxLenApprox", "10"));
        var publisher = trimming.GetRequiredService<IEventPublisher>();

        for (var i = 0; i < 500; i++)
        {
            await publisher.PublishAsync(new OutgoingEvent(topic, $"e-{i}", "Tick", new Placed($"o-{i}", i)), Ct);
        }

        // "~" trims whole radix-tree nodes (100 entries by default), never below the limit.
        Assert.InRange(await redis.StreamLengthAsync(Stream), 10, 200);
    }

    [Fact]
    public async Task Publish_WithStreamTtl_SendsMinIdOfNowMinusTtlAndTrimsOlderEntries()
    {
        var now = DateTimeOffset.UtcNow;
        var address = Engines.RequireRedis();
        await using var trimming = PlatformServices.Build(
            new Dictionary<string, string?> { ["Redis:Configuration"] = address, ["Messaging:Source"] = "test-publisher", ["Messaging:StreamTtl"] = "01:00:00" },
            (s, c) => s.AddSingleton<TimeProvider>(new FixedClock(now)).AddServerlessEventPublishing(c));
        // Three full stream nodes (100 entries each by default) of entries from 1970: all older than the cut-off.
        for (var i = 1; i <= 300; i++)
        {
            await redis.StreamAddAsync(Stream, "data", "{}", messageId: $"{i}-1");
        }

        await using var monitor = await Conformance.RedisMonitor.StartAsync(address);

        await trimming.GetRequiredService<IEventPublisher>().PublishAsync(new OutgoingEvent(topic, "fresh", "Tick", new Placed("o", 1m)), Ct);

        var xadd = Assert.Single(await monitor.CommandsOfClientAsync(Stream, "XADD"), c => c[0] == "XADD");
        Assert.Equal([Stream, "MINID", "~", $"{(now - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds()}-1", "*", "data"], xadd[1..7]);
        // "~" trims whole nodes only: the three old ones go, the new entry stays.
        Assert.InRange(await redis.StreamLengthAsync(Stream), 1, 101);
        Assert.Contains("fresh", (string)(await redis.StreamRangeAsync(Stream, count: 1, messageOrder: Order.Descending))[0].Values[0].Value!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10", "01:00:00", "cannot both be set")]
    [InlineData(null, "00:00:00", "StreamTtl must be at least 1 ms")]
    [InlineData("0", null, "MaxLenApprox must be positive")]
    public void Options_InvalidTrimming_NamedProblem(string? maxLen, string? streamTtl, string expected)
    {
        var options = new MessagingOptions
        {
            Source = "app",
            MaxLenApprox = maxLen is null ? null : long.Parse(maxLen, System.Globalization.CultureInfo.InvariantCulture),
            StreamTtl = streamTtl is null ? null : TimeSpan.Parse(streamTtl, System.Globalization.CultureInfo.InvariantCulture),
        };

        Assert.Contains(options.Validate(new Platform.Environments.ServerlessEnvironmentOptions { Environment = "dev" }), p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ttlInSeconds", "0", "positive whole number")]
    [InlineData("ttlInSeconds", "-5", "positive whole number")]
    [InlineData("ttl", "10s", "pass ttlInSeconds")]
    [InlineData("rawPayload", "true", "always publishes CloudEvents")]
    [InlineData(" ", "x", "non-empty")]
    public void Metadata_Invalid_NamedProblem(string key, string value, string expected) =>
        Assert.Contains(PublishMetadata.Validate(new Dictionary<string, string> { [key] = value }), p => p.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void Reader_PublishedEnvelope_RoundTrips()
    {
        var factory = services.GetRequiredService<CloudEventFactory>();
        var bytes = CloudEventFactory.Serialize(factory.Create(new OutgoingEvent(topic, "id-1", "OrderPlaced", new Placed("o", 1m))));

        Assert.True(CloudEventReader.TryRead(bytes, out var read, out var problem), problem);
        Assert.Equal(("id-1", "OrderPlaced", "test-publisher"), (read!.Id, read.Type, read.Source));
    }

    [Theory]
    [InlineData("not json", "not a CloudEvent")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("""{"specversion":"1.0","source":"s","type":"t","data":{}}""", "id")]
    [InlineData("""{"specversion":"0.3","id":"i","source":"s","type":"t","data":{}}""", "specversion")]
    [InlineData("""{"specversion":"1.0","id":"i","source":"s","type":"t","data":"text"}""", "no JSON object")]
    [InlineData("""{"specversion":"1.0","id":"","source":"s","type":"t","data":{}}""", "non-empty")]
    public void Reader_MalformedInput_NamesTheProblem(string json, string expected)
    {
        Assert.False(CloudEventReader.TryRead(System.Text.Encoding.UTF8.GetBytes(json), out var read, out var problem));
        Assert.Null(read);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    private static ActivityListener ListenToMessaging()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CloudEventFactory.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static ServiceProvider Build(string address, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = address,
            ["Messaging:Source"] = "test-publisher",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return PlatformServices.Build(settings, (s, c) => s.AddServerlessEventPublishing(c));
    }
}

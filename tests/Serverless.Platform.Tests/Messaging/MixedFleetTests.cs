using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Messaging;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Messaging;

/// <summary>
/// A fleet where some services run a Dapr sidecar and some do not. Entries are written exactly as
/// daprd's <c>pubsub.redis</c> writes them (platform-semantics §7.1, §7.5): <c>XADD &lt;topic&gt; *
/// data &lt;CloudEvent&gt; [metadata &lt;JSON&gt;]</c>, the CloudEvent being Go's <c>json.Marshal</c> of
/// the envelope map, keys sorted, built by components-contrib pubsub/envelope.go for an ordinary
/// Dapr app's publish. Our reader must take them, and our publisher's entries must pass Dapr's subscriber rules.
/// </summary>
public sealed class MixedFleetTests(SharedRedis shared) : IAsyncLifetime
{
    private const string Trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Stock(string Sku, int Qty);

    private readonly string stream = $"dev-{PlatformServices.Unique("fleet")}";
    private IDatabase redis = null!;

    public async ValueTask InitializeAsync() => redis = await shared.DatabaseAsync();

    public async ValueTask DisposeAsync()
    {
        if (redis is not null)
        {
            await redis.KeyDeleteAsync(stream);
        }
    }

    [Fact]
    public async Task SidecarEntry_TextPayloadWithTtlMetadata_ReadAsTextWithMetadata()
    {
        // A Dapr app: PublishEvent(pubsub, topic, "hello fleet", text/plain, metadata ttlInSeconds=120).
        await AddAsSidecarAsync(
            $$"""{"data":"hello fleet","datacontenttype":"text/plain","expiration":"2026-12-02T10:02:00Z","id":"5f0a6c1e-8d2b-4d52-9a55-0f4c3c9e2b10","pubsubname":"pubsub","source":"checkout","specversion":"1.0","time":"2026-12-02T10:00:00Z","topic":"{{stream}}","traceid":"{{Trace}}","traceparent":"{{Trace}}","tracestate":"","type":"com.dapr.event.sent"}""",
            """{"ttlInSeconds":"120"}""");

        var received = await ReadSingleAsync();

        var e = received.Event;
        Assert.Equal(("com.dapr.event.sent", "checkout", "5f0a6c1e-8d2b-4d52-9a55-0f4c3c9e2b10", null), (e.Type, e.Source, e.Id, e.Subject));
        Assert.Equal(CloudEventDataKind.Text, e.DataKind);
        Assert.Equal("hello fleet", e.DataText());
        Assert.Equal("hello fleet"u8.ToArray(), e.DataBytes());
        Assert.Equal("2026-12-02T10:02:00Z", e.Expiration);
        Assert.Equal(Trace, e.TraceParent);
        Assert.Equal(new Dictionary<string, string> { ["ttlInSeconds"] = "120" }, received.Metadata);
        Assert.Null(received.MetadataProblem);
        Assert.Throws<InvalidOperationException>(() => e.DataAs<object>());
    }

    [Fact]
    public async Task SidecarEntry_BinaryPayload_ReadAsTheOriginalBytes()
    {
        // PublishEvent with application/octet-stream: the sidecar base64-encodes into data_base64.
        byte[] payload = [0x00, 0x01, 0xFE, 0xFF, 0x7F];
        await AddAsSidecarAsync(
            $$"""{"data_base64":"{{Convert.ToBase64String(payload)}}","datacontenttype":"application/octet-stream","id":"bin-1","pubsubname":"pubsub","source":"scanner","specversion":"1.0","subject":"batch-7","time":"2026-12-02T10:00:00Z","topic":"{{stream}}","traceid":"","traceparent":"","tracestate":"","type":"com.dapr.event.sent"}""");

        var received = await ReadSingleAsync();

        Assert.Equal(("bin-1", "scanner", "batch-7"), (received.Event.Id, received.Event.Source, received.Event.Subject));
        Assert.Equal(CloudEventDataKind.Binary, received.Event.DataKind);
        Assert.Equal(payload, received.Event.DataBytes());
        Assert.Null(received.Event.DataText());
        Assert.Empty(received.Metadata);
    }

    [Fact]
    public async Task SidecarEntry_JsonPayloadWithoutOurDomainFields_ReadAsJson()
    {
        await AddAsSidecarAsync(
            $$"""{"data":{"qty":2,"sku":"A-1"},"datacontenttype":"application/json","id":"j-1","pubsubname":"pubsub","source":"inventory","specversion":"1.0","time":"2026-12-02T10:00:00Z","topic":"{{stream}}","traceid":"{{Trace}}","traceparent":"{{Trace}}","tracestate":"","type":"com.dapr.event.sent"}""",
            """{"tenant":"t-9"}""");

        var received = await ReadSingleAsync();

        Assert.Equal(CloudEventDataKind.Json, received.Event.DataKind);
        Assert.Equal(new Stock("A-1", 2), received.Event.DataAs<Stock>());
        Assert.Equal("""{"qty":2,"sku":"A-1"}""", Encoding.UTF8.GetString(received.Event.DataBytes()));
        Assert.Equal("t-9", received.Metadata["tenant"]);
        // Our domain reader takes it too: an object payload is all it asks; the handler decides by type.
        Assert.True(CloudEventReader.TryRead(Encoding.UTF8.GetBytes(await DataFieldAsync()), out _, out var problem), problem);
    }

    [Fact]
    public async Task SidecarEntry_UnreadableMetadata_EventStillReadWithTheProblemNamed()
    {
        await AddAsSidecarAsync(
            $$"""{"data":"x","datacontenttype":"text/plain","id":"m-1","pubsubname":"pubsub","source":"s","specversion":"1.0","time":"2026-12-02T10:00:00Z","topic":"{{stream}}","traceid":"","traceparent":"","tracestate":"","type":"com.dapr.event.sent"}""",
            "not json");

        var received = await ReadSingleAsync();

        Assert.Equal("m-1", received.Event.Id);
        Assert.Empty(received.Metadata);
        Assert.Contains("metadata", received.MetadataProblem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"specversion":"1.0","id":"i","source":"s","type":"t","data":"x","data_base64":"eA=="}""", "both")]
    [InlineData("""{"specversion":"1.0","id":"i","source":"s","type":"t","data_base64":"%%%"}""", "not base64")]
    [InlineData("""{"specversion":"1.0","id":"i","source":"s","data":"x"}""", "'type'")]
    public void ReadEnvelope_InvalidCloudEvent_NamesTheProblem(string json, string expected)
    {
        Assert.False(CloudEventReader.TryReadEnvelope(Encoding.UTF8.GetBytes(json), out var read, out var problem));
        Assert.Null(read);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OurEntryPublishedAnHourAgoWithTtl_DroppedAsExpiredByDaprSubscriberRules()
    {
        var topic = stream["dev-".Length..];
        var anHourAgo = DateTimeOffset.UtcNow.AddHours(-1);
        await using var services = PlatformServices.Build(
            new Dictionary<string, string?> { ["Redis:Configuration"] = Engines.RequireRedis(), ["Messaging:Source"] = "orders" },
            (s, c) => s.AddSingleton<TimeProvider>(new FixedClock(anHourAgo)).AddServerlessEventPublishing(c));

        await services.GetRequiredService<IEventPublisher>().PublishAsync(
            new OutgoingEvent(topic, "late-1", "OrderPlaced", new { orderId = "o" }, Metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "60" }), Ct);

        var delivery = DaprSubscriber.Receive(Assert.Single(await redis.StreamRangeAsync(stream)), DateTimeOffset.UtcNow);
        Assert.Equal(DaprSubscriber.Outcome.Dropped, delivery.Outcome);
        Assert.Contains("expired", delivery.Reason, StringComparison.Ordinal);
    }

    private Task<RedisResult> AddAsSidecarAsync(string cloudEvent, string? metadata = null) =>
        metadata is null
            ? redis.ExecuteAsync("XADD", stream, "*", "data", cloudEvent)
            : redis.ExecuteAsync("XADD", stream, "*", "data", cloudEvent, "metadata", metadata);

    private async Task<string> DataFieldAsync() =>
        (string)Assert.Single(await redis.StreamRangeAsync(stream)).Values.Single(v => v.Name == "data").Value!;

    private async Task<ReceivedEvent> ReadSingleAsync()
    {
        var entry = Assert.Single(await redis.StreamRangeAsync(stream));
        var data = (byte[])entry.Values.Single(v => v.Name == "data").Value!;
        var metadata = entry.Values.FirstOrDefault(v => v.Name == "metadata") is { Name.IsNull: false } field ? (byte[])field.Value! : null;
        Assert.True(CloudEventReader.TryReadEntry(data, metadata, out var received, out var problem), problem);
        return received!;
    }
}

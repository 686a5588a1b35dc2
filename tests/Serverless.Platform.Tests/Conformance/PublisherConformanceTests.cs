using System.Globalization;
using System.Text.Json;
using Serverless.Platform.Messaging;
using Serverless.Platform.Tests.Messaging;

namespace Serverless.Platform.Tests.Conformance;

/// <summary>
/// Dapr's <c>pubsub.redis</c> publish path (platform-semantics §7.1, §7.5; components-contrib
/// pubsub/redis Publish, pubsub/envelope.go ApplyMetadata) as scenarios: publish through an adapter,
/// read the stream entry raw, and hand it to a reader that follows Dapr's subscriber rules. Runs
/// against the direct publisher and, where daprd exists, the sidecar, with one set of expectations.
/// Trimming is component configuration on the sidecar, so it is covered for the direct publisher in
/// <see cref="RedisStreamPublisherTests"/>.
/// </summary>
public sealed class PublisherConformanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed record Placed(string OrderId, decimal Total);

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task Publish_WithoutMetadata_EntryHasOnlyDataWithOurCloudEvent(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var topic = PlatformServices.Unique("topic");

        await rig.Publisher.PublishAsync(new OutgoingEvent(topic, "ord-1:OrderPlaced", "OrderPlaced", new Placed("ord-1", 5m), "ord-1"), Ct);

        var entry = Assert.Single(await rig.Redis.StreamRangeAsync($"dev-{topic}"));
        Assert.Equal(["data"], entry.Values.Select(v => v.Name.ToString()));
        using var json = JsonDocument.Parse((string)entry.Values[0].Value!);
        var root = json.RootElement;
        Assert.Equal(
            ("1.0", "ord-1:OrderPlaced", "OrderPlaced", ConformanceRig.Source, "ord-1", $"dev-{topic}", "pubsub"),
            (root.GetProperty("specversion").GetString(), root.GetProperty("id").GetString(), root.GetProperty("type").GetString(),
                root.GetProperty("source").GetString(), root.GetProperty("subject").GetString(), root.GetProperty("topic").GetString(),
                root.GetProperty("pubsubname").GetString()));
        Assert.Equal("""{"orderId":"ord-1","total":5}""", root.GetProperty("data").GetRawText());
        Assert.False(root.TryGetProperty("expiration", out _));
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task Publish_WithMetadata_WritesMetadataFieldAndExpirationFromTtl(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var topic = PlatformServices.Unique("topic");
        var metadata = new Dictionary<string, string> { ["ttlInSeconds"] = "60", ["tenant"] = "t-1" };

        await rig.Publisher.PublishAsync(new OutgoingEvent(topic, "e-1", "OrderPlaced", new Placed("o", 1m), Metadata: metadata), Ct);

        var entry = Assert.Single(await rig.Redis.StreamRangeAsync($"dev-{topic}"));
        Assert.Equal(["data", "metadata"], entry.Values.Select(v => v.Name.ToString()).Order(StringComparer.Ordinal));
        var written = JsonSerializer.Deserialize<Dictionary<string, string>>((string)entry.Values.Single(v => v.Name == "metadata").Value!);
        Assert.Equal(metadata.OrderBy(p => p.Key), written!.OrderBy(p => p.Key));
        using var json = JsonDocument.Parse((string)entry.Values.Single(v => v.Name == "data").Value!);
        var time = DateTimeOffset.Parse(json.RootElement.GetProperty("time").GetString()!, CultureInfo.InvariantCulture);
        var expiration = DateTimeOffset.Parse(json.RootElement.GetProperty("expiration").GetString()!, CultureInfo.InvariantCulture);
        // Both are whole seconds from the publisher's clock (the sidecar's own on that path): 60 s apart, give or take a second boundary.
        Assert.InRange(expiration - time, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(61));
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task Publish_InvalidTtlMetadata_RefusedBeforeAnythingIsWritten(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var topic = PlatformServices.Unique("topic");

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => rig.Publisher.PublishAsync(
            new OutgoingEvent(topic, "e-1", "OrderPlaced", new Placed("o", 1m), Metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "soon" }), Ct));

        Assert.Contains("ttlInSeconds must be a positive whole number", refused.Message, StringComparison.Ordinal);
        Assert.False(await rig.Redis.KeyExistsAsync($"dev-{topic}"));
    }

    [Theory]
    [MemberData(nameof(ConformanceRig.Adapters), MemberType = typeof(ConformanceRig))]
    public async Task Publish_Entry_DeliveredByDaprSubscriberRulesWithItsMetadata(Adapter adapter)
    {
        await using var rig = await ConformanceRig.StartAsync(adapter);
        var topic = PlatformServices.Unique("topic");

        await rig.Publisher.PublishAsync(
            new OutgoingEvent(topic, "e-2", "OrderPlaced", new Placed("o-2", 7m), Metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "3600" }), Ct);

        var delivery = DaprSubscriber.Receive(Assert.Single(await rig.Redis.StreamRangeAsync($"dev-{topic}")), DateTimeOffset.UtcNow);
        Assert.Equal(DaprSubscriber.Outcome.Delivered, delivery.Outcome);
        Assert.Equal("application/cloudevents+json", delivery.ContentType);
        Assert.Equal(("e-2", "OrderPlaced", ConformanceRig.Source), (
            delivery.CloudEvent.GetProperty("id").GetString(), delivery.CloudEvent.GetProperty("type").GetString(), delivery.CloudEvent.GetProperty("source").GetString()));
        Assert.Equal("""{"orderId":"o-2","total":7}"""u8.ToArray(), delivery.AppData);
        Assert.Equal("3600", delivery.Metadata!["ttlInSeconds"]);
    }
}

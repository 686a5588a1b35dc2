using System.Text;
using Serverless.Orders.Contracts;
using Serverless.Orders.Events;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Consumers.Tests;

/// <summary>
/// A mixed fleet: apps with a Dapr sidecar publish on the same stream our consumers read. Each entry
/// here is written as the sidecar's <c>pubsub.redis</c> writes it (platform-semantics §7.1, §7.5):
/// <c>XADD &lt;topic&gt; * data &lt;CloudEvent JSON&gt; metadata &lt;JSON map&gt;</c>, byte for byte.
/// </summary>
public sealed class DaprInteropTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A text event as daprd builds it for <c>POST /v1.0/publish/pubsub/&lt;topic&gt;</c> with a plain-text body.</summary>
    private static string TextEvent(string stream) => $$"""{"data":"hello from checkout","datacontenttype":"text/plain","id":"5f1c8a9e-3b2d-4c1e-9f7a-2d6b8e4c1a01","pubsubname":"pubsub","source":"checkout","specversion":"1.0","time":"2026-03-01T10:15:30Z","topic":"{{stream}}","traceid":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"","type":"com.dapr.event.sent"}""";

    /// <summary>A JSON body without any of our domain's fields.</summary>
    private static string JsonEvent(string stream) => $$"""{"data":{"sku":"A-17","quantity":3},"datacontenttype":"application/json","id":"5f1c8a9e-3b2d-4c1e-9f7a-2d6b8e4c1a02","pubsubname":"pubsub","source":"checkout","specversion":"1.0","time":"2026-03-01T10:15:31Z","topic":"{{stream}}","traceid":"00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b8-01","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b8-01","tracestate":"","type":"com.dapr.event.sent"}""";

    /// <summary>A binary body (<c>application/octet-stream</c>): the sidecar carries it in <c>data_base64</c>.</summary>
    private static string BinaryEvent(string stream) => $$"""{"data_base64":"AAECA/8=","datacontenttype":"application/octet-stream","id":"5f1c8a9e-3b2d-4c1e-9f7a-2d6b8e4c1a03","pubsubname":"pubsub","source":"checkout","specversion":"1.0","subject":"blob-9","time":"2026-03-01T10:15:32Z","topic":"{{stream}}","traceid":"00-4bf92f3577b34da6a3ce929d0e0e4738-00f067aa0ba902b9-01","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4738-00f067aa0ba902b9-01","tracestate":"","type":"com.dapr.event.sent"}""";

    private const string Metadata = """{"partitionKey":"customer-7","priority":"high"}""";

    [Fact]
    public async Task SidecarPublishedEntries_AuditConsumer_AckedWithEnvelopeAndMetadata_NothingDeadLettered()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await XAddAsSidecarAsync(bed, TextEvent(bed.Stream), Metadata);
        await XAddAsSidecarAsync(bed, JsonEvent(bed.Stream), metadata: null);
        await XAddAsSidecarAsync(bed, BinaryEvent(bed.Stream), Metadata);
        await using var consumer = bed.StartConsumer();

        await Eventually.TrueAsync(bed.AllHandledAsync, Bound, "the three sidecar entries handled");

        await using var connection = await bed.OpenAsync(Ct);
        await using var query = new Npgsql.NpgsqlCommand("SELECT event_id, event_type, source, subject, data_content_type, data_kind, data, metadata::text FROM event_audit ORDER BY event_id", connection);
        await using var reader = await query.ExecuteReaderAsync(Ct);
        var rows = new List<(string Id, string Type, string Source, string? Subject, string ContentType, string Kind, byte[] Data, string Metadata)>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetString(5), (byte[])reader[6], reader.GetString(7)));
        }

        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(("com.dapr.event.sent", "checkout"), (r.Type, r.Source)));
        Assert.Equal(("text/plain", "text", "hello from checkout"), (rows[0].ContentType, rows[0].Kind, Encoding.UTF8.GetString(rows[0].Data)));
        Assert.Equal(("application/json", "json", """{"sku":"A-17","quantity":3}"""), (rows[1].ContentType, rows[1].Kind, Encoding.UTF8.GetString(rows[1].Data)));
        Assert.Equal(("application/octet-stream", "binary", "blob-9"), (rows[2].ContentType, rows[2].Kind, rows[2].Subject));
        Assert.Equal(new byte[] { 0, 1, 2, 3, 255 }, rows[2].Data);
        Assert.Equal("""{"priority": "high", "partitionKey": "customer-7"}""", rows[0].Metadata);
        Assert.Equal("{}", rows[1].Metadata);
        Assert.Equal(rows[0].Metadata, rows[2].Metadata);
        Assert.Empty(await bed.DeadLettersAsync());
    }

    [Fact]
    public async Task SidecarPublishedEntries_NotificationConsumer_IgnoredAndAcked_OrderEventsStillHandled()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "notifications");
        var port = RedisServer.FreePort();
        await XAddAsSidecarAsync(bed, TextEvent(bed.Stream), Metadata);
        await XAddAsSidecarAsync(bed, JsonEvent(bed.Stream), metadata: null);
        await XAddAsSidecarAsync(bed, BinaryEvent(bed.Stream), Metadata);
        await bed.AddAsync([ConsumerTestBed.Event("ord-d1:OrderPlaced", OrderEventTypes.OrderPlaced, ConsumerTestBed.Snapshot("ord-d1", OrderStatus.Received, 1))]);
        await using var consumer = bed.StartConsumer(("Urls", $"http://127.0.0.1:{port}"));

        await Eventually.TrueAsync(bed.AllHandledAsync, Bound, "the four entries handled");

        Assert.Equal(1L, await bed.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE event_id = 'ord-d1:OrderPlaced'", Ct));
        Assert.Equal(1L, await bed.ScalarAsync<long>("SELECT count(*) FROM notifications", Ct));
        Assert.Empty(await bed.DeadLettersAsync());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.TrueAsync(
            async () => (await http.GetStringAsync("/metrics", Ct)).Split('\n').Any(IgnoredThreeDaprEvents),
            Bound,
            "serverless.consumer.ignored at 3 for com.dapr.event.sent");
    }

    private static bool IgnoredThreeDaprEvents(string line) =>
        line.StartsWith("serverless_consumer_ignored", StringComparison.Ordinal)
        && line.Contains("type=\"com.dapr.event.sent\"", StringComparison.Ordinal)
        && System.Text.RegularExpressions.Regex.IsMatch(line, @"\} 3( \d+)?$");

    [Fact]
    public async Task SidecarPublishedWithTtl_ExpiredDeadLetteredAsDaprDropsIt_UnexpiredHandled()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        // ttlInSeconds 60: the sidecar sets expiration = time + 60 s and keeps the metadata on the entry.
        await XAddAsSidecarAsync(bed, WithExpiration(TextEvent(bed.Stream), "2026-03-01T10:16:30Z"), """{"ttlInSeconds":"60"}""");
        await XAddAsSidecarAsync(bed, WithExpiration(JsonEvent(bed.Stream), "2099-03-01T10:16:31Z"), """{"ttlInSeconds":"2303596800"}""");
        await using var consumer = bed.StartConsumer();

        await Eventually.TrueAsync(async () => await bed.AllHandledAsync() && (await bed.DeadLettersAsync()).Length == 1, Bound, "both entries handled");

        var dead = Assert.Single(await bed.DeadLettersAsync()).Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString(), StringComparer.Ordinal);
        Assert.Contains("expired at 2026-03-01T10:16:30Z", dead["error"], StringComparison.Ordinal);
        Assert.Equal("""{"ttlInSeconds":"60"}""", dead["metadata"]);
        Assert.Equal("5f1c8a9e-3b2d-4c1e-9f7a-2d6b8e4c1a02", await bed.ScalarAsync<string>("SELECT string_agg(event_id, ',') FROM event_audit", Ct));
    }

    private static string WithExpiration(string cloudEvent, string expiration) =>
        cloudEvent.Replace("\"id\":", $"\"expiration\":\"{expiration}\",\"id\":", StringComparison.Ordinal);

    /// <summary>The command a sidecar's <c>pubsub.redis</c> sends: <c>data</c>, then <c>metadata</c> only when there is any.</summary>
    private static async Task XAddAsSidecarAsync(ConsumerTestBed bed, string data, string? metadata)
    {
        List<object> arguments = [bed.Stream, "*", "data", Encoding.UTF8.GetBytes(data)];
        if (metadata is not null)
        {
            arguments.AddRange(["metadata", Encoding.UTF8.GetBytes(metadata)]);
        }

        await bed.Redis.ExecuteAsync("XADD", arguments);
    }
}

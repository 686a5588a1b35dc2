using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Serverless.Orders.Events;
using Serverless.Testing;
using Serverless.Testing.Fixtures;

namespace Serverless.Consumers.Tests;

/// <summary>The same handler behind Dapr's push delivery, spoken to as daprd does (platform-semantics §7.4).</summary>
public sealed class DaprPushTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PushDelivery_AnswersSuccessDropRetryAsDaprExpects()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.CreateAuditTableRefusingPoisonAsync(Ct);

        var port = RedisServer.FreePort();
        await using var consumer = bed.StartConsumer(("Consumer:Delivery", "DaprPush"), ("Urls", $"http://127.0.0.1:{port}"));
        await consumer.WaitForOutputAsync("Now listening on", TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var subscriptions = JsonDocument.Parse(await http.GetStringAsync("/dapr/subscribe", Ct));
        var subscription = Assert.Single(subscriptions.RootElement.EnumerateArray());
        Assert.Equal("pubsub", subscription.GetProperty("pubsubname").GetString());
        Assert.Equal(bed.Stream, subscription.GetProperty("topic").GetString());
        Assert.Equal("/events/audit", subscription.GetProperty("route").GetString());
        Assert.Equal(bed.DeadLetterStream, subscription.GetProperty("deadLetterTopic").GetString());

        var good = ConsumerTestBed.Event("push-1", OrderEventTypes.OrderPlaced, new { n = 1 }, subject: "s-1");
        Assert.Equal("SUCCESS", await PostAsync(http, "/events/audit", good));
        Assert.Equal("SUCCESS", await PostAsync(http, "/events/audit", good));
        Assert.Equal("DROP", await PostAsync(http, "/events/audit", "not json"u8.ToArray()));
        Assert.Equal("DROP", await PostAsync(http, "/events/audit", """{"specversion":"0.3","id":"push-2","source":"s","type":"Unknown"}"""u8.ToArray()));
        Assert.Equal("DROP", await PostAsync(http, "/events/audit", good, "text/plain"));
        Assert.Equal("RETRY", await PostAsync(http, "/events/audit", ConsumerTestBed.Event("push-3", OrderEventTypes.OrderPlaced, new { n = 3 }, subject: "poison")));
        using var unknownRoute = await http.PostAsync("/events/other", new ByteArrayContent(good), Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownRoute.StatusCode);

        Assert.Equal(1L, await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct));
    }

    private static async Task<string?> PostAsync(HttpClient http, string route, byte[] body, string contentType = "application/cloudevents+json")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.PostAsync(route, content, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString();
    }
}

using Serverless.Orders.Contracts;
using Serverless.Orders.Events;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Consumers.Tests;

/// <summary>Entries that can never succeed leave the stream for the dead-letter stream, with their reason; the consumer lives on.</summary>
public sealed class DeadLetterTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PoisonEntry_KeepPending_DeadLetteredAfterMaxDeliveriesWithError()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "audit");
        await bed.CreateAuditTableRefusingPoisonAsync(Ct);

        await bed.AddAuditEventsAsync(5);
        await bed.AddAsync([ConsumerTestBed.Event("poison-1", OrderEventTypes.OrderPlaced, new { n = -1 }, subject: "poison")]);
        await bed.AddAuditEventsAsync(5, from: 5);
        await using var consumer = bed.StartConsumer(
            ("Consumer:OnHandlerError", "KeepPending"), ("Consumer:MaxDeliveries", "3"), ("Consumer:ProcessingTimeout", "00:00:00.300"));

        await Eventually.TrueAsync(async () => (await bed.DeadLettersAsync()).Length == 1 && await bed.PendingAsync() == 0, Bound, "the poison entry in the dead-letter stream");

        var dead = Fields(Assert.Single(await bed.DeadLettersAsync()));
        Assert.Equal("3", dead["deliveries"]);
        Assert.Contains("no_poison", dead["error"], StringComparison.Ordinal);
        Assert.Contains("poison-1", dead["data"], StringComparison.Ordinal);
        Assert.Equal((bed.Stream, bed.Group), (dead["source_stream"], dead["source_group"]));
        Assert.Equal(10L, await bed.ScalarAsync<long>("SELECT count(*) FROM event_audit", Ct));
        Assert.False(consumer.HasExited);
    }

    [Fact]
    public async Task MalformedEntries_DeadLetteredAtOnceWithReason()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "notifications");
        var order = ConsumerTestBed.Snapshot("ord-m1", OrderStatus.Received, 1);
        await bed.AddAsync(
        [
            "not json at all"u8.ToArray(),
            """{"hello":"world"}"""u8.ToArray(),
            ConsumerTestBed.Event("m-unknown", "OrderShipped", order),
            ConsumerTestBed.Event("m-fields", OrderEventTypes.OrderPlaced, new { orderId = "ord-m2", status = "Received", sequence = 1 }),
            ConsumerTestBed.Event("m-good", OrderEventTypes.OrderPlaced, order),
        ]);
        await bed.Redis.StreamAddAsync(bed.Stream, "metadata", "{}");
        await using var consumer = bed.StartConsumer();

        await Eventually.TrueAsync(async () => (await bed.DeadLettersAsync()).Length == 5 && await bed.PendingAsync() == 0, Bound, "five dead letters");

        var reasons = (await bed.DeadLettersAsync()).Select(Fields).ToList();
        Assert.All(reasons, r => Assert.Equal("1", r["deliveries"]));
        Assert.Contains(reasons, r => r["error"].StartsWith("not a CloudEvent", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r["error"].Contains("id, source and type", StringComparison.Ordinal) || r["error"].Contains("missing required", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r["error"].Contains("unknown event type 'OrderShipped'", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r["error"].Contains("customerId is missing", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r["error"] == "entry has no 'data' field");
        Assert.Equal(1L, await bed.ScalarAsync<long>("SELECT count(*) FROM notifications", Ct));
        Assert.False(consumer.HasExited);
    }

    private static Dictionary<string, string> Fields(StreamEntry entry) =>
        entry.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString(), StringComparer.Ordinal);
}

using Serverless.Orders.Contracts;
using Serverless.Orders.Events;
using Serverless.Testing;
using Serverless.Testing.Fixtures;

namespace Serverless.Consumers.Tests;

public sealed class NotificationTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OrderEvents_CustomerFacingOnesRecordedOnceByDevProvider()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "notifications");
        var placed = ConsumerTestBed.Event("ord-n1:OrderPlaced", OrderEventTypes.OrderPlaced, ConsumerTestBed.Snapshot("ord-n1", OrderStatus.Received, 1));
        await bed.AddAsync(
        [
            placed,
            ConsumerTestBed.Event("ord-n1:InventoryReserved", OrderEventTypes.InventoryReserved, ConsumerTestBed.Snapshot("ord-n1", OrderStatus.Reserving, 2)),
            ConsumerTestBed.Event("ord-n1:OrderFailed", OrderEventTypes.OrderFailed, ConsumerTestBed.Snapshot("ord-n1", OrderStatus.Failed, 3, "PaymentDeclined: card declined")),
            // A publisher retry: the same event id again.
            placed,
        ]);
        await using var consumer = bed.StartConsumer();

        await Eventually.TrueAsync(bed.AllHandledAsync, TimeSpan.FromSeconds(60), "all four entries handled");

        await using var connection = await bed.OpenAsync(Ct);
        await using var query = new Npgsql.NpgsqlCommand("SELECT kind, customer_id, message FROM notifications ORDER BY kind", connection);
        await using var reader = await query.ExecuteReaderAsync(Ct);
        var rows = new List<(string Kind, string Customer, string Message)>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        Assert.Equal([OrderEventTypes.OrderFailed, OrderEventTypes.OrderPlaced], rows.Select(r => r.Kind));
        Assert.All(rows, r => Assert.Equal("cust-1", r.Customer));
        Assert.Contains("PaymentDeclined: card declined", rows[0].Message, StringComparison.Ordinal);
        Assert.Empty(await bed.DeadLettersAsync());
    }
}

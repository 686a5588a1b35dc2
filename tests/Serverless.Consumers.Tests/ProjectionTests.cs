using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Consumers.ReadModel;
using Serverless.Orders.Contracts;
using Serverless.Orders.Events;
using Serverless.Orders.ReadModel;
using Serverless.Platform.Environments;
using Serverless.Platform.State;
using Serverless.Testing;
using Serverless.Testing.Fixtures;

namespace Serverless.Consumers.Tests;

/// <summary>
/// The order projection end to end: events in any order → PostgreSQL and the state store hold the
/// newest snapshot; <see cref="IOrderReadModel"/> reads the state store, falls back to PostgreSQL
/// while Redis is down, and the state is rebuilt (automatically, and by command) when Redis comes back empty.
/// </summary>
public sealed class ProjectionTests(SharedRedis sharedRedis, SharedPostgres sharedPostgres)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Projection_OutOfOrderEvents_KeepsNewestAndReadsFallBackThenRebuild()
    {
        // Without persistence: a restart loses everything, as an unpersisted cache would.
        await using var redis = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var bed = await ConsumerTestBed.CreateAsync(redis, sharedPostgres, "projection");
        var keyPrefix = $"{bed.Topic}-orders";
        (string, string)[] settings = [("State:KeyPrefix", keyPrefix), ("Consumer:ReadModelCheckInterval", "00:00:00.200")];
        await bed.AddAsync(
        [
            ConsumerTestBed.Event("ord-p1:InventoryReserved", OrderEventTypes.InventoryReserved, ConsumerTestBed.Snapshot("ord-p1", OrderStatus.Reserving, 2)),
            ConsumerTestBed.Event("ord-p1:OrderConfirmed", OrderEventTypes.OrderConfirmed, ConsumerTestBed.Snapshot("ord-p1", OrderStatus.Confirmed, 4)),
            ConsumerTestBed.Event("ord-p1:OrderPlaced", OrderEventTypes.OrderPlaced, ConsumerTestBed.Snapshot("ord-p1", OrderStatus.Received, 1)),
            ConsumerTestBed.Event("ord-p2:OrderPlaced", OrderEventTypes.OrderPlaced, ConsumerTestBed.Snapshot("ord-p2", OrderStatus.Received, 1)),
            ConsumerTestBed.Event("ord-p2:OrderFailed", OrderEventTypes.OrderFailed, ConsumerTestBed.Snapshot("ord-p2", OrderStatus.Failed, 2, "OutOfStock: none left")),
        ]);
        await using var services = ReadModelServices(bed, keyPrefix);
        var readModel = services.GetRequiredService<IOrderReadModel>();
        var store = services.GetRequiredService<IStateStore>();

        await using (var consumer = bed.StartConsumer(settings))
        {
            await Eventually.TrueAsync(bed.AllHandledAsync, Bound, "all events projected");

            var stored = await store.GetAsync<OrderSnapshot>(OrderStateWriter.KeyFor("ord-p1"), Ct);
            Assert.Equal((OrderStatus.Confirmed, 4), (stored!.Value.Status, stored.Value.Sequence));
            Assert.Equal("Confirmed", await bed.ScalarAsync<string>("SELECT status FROM orders WHERE order_id = 'ord-p1'", Ct));
            var failed = await readModel.FindAsync("ord-p2", Ct);
            Assert.Equal((OrderStatus.Failed, "OutOfStock: none left", 42.5m, "cust-1"), (failed!.Status, failed.FailureReason, failed.TotalAmount, failed.CustomerId));
            Assert.Null(await readModel.FindAsync("ord-unknown", Ct));

            // Redis down: the read model answers from PostgreSQL.
            await redis.StopAsync(Ct);
            await Assert.ThrowsAsync<StateStoreUnavailableException>(() => store.GetAsync<OrderSnapshot>(OrderStateWriter.KeyFor("ord-p1"), Ct));
            var fromPostgres = await readModel.FindAsync("ord-p1", Ct);
            Assert.Equal((OrderStatus.Confirmed, "ord-p1"), (fromPostgres!.Status, fromPostgres.OrderId));
            Assert.Single(fromPostgres.Steps);

            // Redis back, empty: the projection notices the missing marker and rebuilds from PostgreSQL.
            await redis.RestartAsync(Ct);
            await Eventually.TrueAsync(
                async () => await TryGetAsync(store, "ord-p2") is { Value.Status: OrderStatus.Failed } && await TryGetAsync(store, "ord-p1") is { Value.Sequence: 4 },
                Bound,
                "the automatic rebuild");
            Assert.Contains("rebuilding it from PostgreSQL", consumer.Output, StringComparison.Ordinal);
        }

        // The command: with the consumer gone, empty Redis again and rebuild on demand.
        await redis.StopAsync(Ct);
        await redis.RestartAsync(Ct);
        await Eventually.TrueAsync(() => IsReachableWithoutAsync(store, "ord-p1"), Bound, "Redis reachable and empty");
        await using var command = ConsumerProcess.Start(bed.Settings(settings), ReadModelRebuildCommand.Verb);
        Assert.Equal(0, await command.WaitForExitAsync(Bound, Ct));
        Assert.Contains("restored 2 orders", command.Output, StringComparison.Ordinal);
        // The test's own connection may still be reconnecting after the restart: read until it answers.
        await Eventually.TrueAsync(async () => await TryGetAsync(store, "ord-p1") is { Value.Status: OrderStatus.Confirmed }, Bound, "the rebuilt order read back");
    }

    [Fact]
    public async Task Projection_SeveralEventsOfOneOrderInOneBatch_NewestWinsAndStaleNeverOverwrites()
    {
        await using var bed = await ConsumerTestBed.CreateAsync(sharedRedis, sharedPostgres, "projection");
        var keyPrefix = $"{bed.Topic}-orders";
        // ord-b3 already holds a newer state than anything in the batch.
        await using (var connection = await bed.OpenAsync(Ct))
        {
            await using var create = new Npgsql.NpgsqlCommand(OrderRecords.Migration.Sql, connection);
            await create.ExecuteNonQueryAsync(Ct);
            await using var newer = new Npgsql.NpgsqlCommand(
                """
                INSERT INTO orders (order_id, customer_id, status, total_amount, currency, steps, sequence, updated_at)
                VALUES ('ord-b3', 'cust-1', 'Cancelled', 42.5, 'EUR', '[]', 9, now())
                """,
                connection);
            await newer.ExecuteNonQueryAsync(Ct);
        }

        // Published before the consumer starts: its first read takes them all, one batch (fewer than its 16 slots).
        await bed.AddAsync(
        [
            ConsumerTestBed.Event("ord-b1:OrderPlaced", OrderEventTypes.OrderPlaced, ConsumerTestBed.Snapshot("ord-b1", OrderStatus.Received, 1)),
            ConsumerTestBed.Event("ord-b1:OrderConfirmed", OrderEventTypes.OrderConfirmed, ConsumerTestBed.Snapshot("ord-b1", OrderStatus.Confirmed, 3)),
            ConsumerTestBed.Event("ord-b1:InventoryReserved", OrderEventTypes.InventoryReserved, ConsumerTestBed.Snapshot("ord-b1", OrderStatus.Reserving, 2)),
            ConsumerTestBed.Event("ord-b2:OrderFailed", OrderEventTypes.OrderFailed, ConsumerTestBed.Snapshot("ord-b2", OrderStatus.Failed, 5, "OutOfStock: none left")),
            ConsumerTestBed.Event("ord-b2:InventoryReserved", OrderEventTypes.InventoryReserved, ConsumerTestBed.Snapshot("ord-b2", OrderStatus.Reserving, 2)),
            ConsumerTestBed.Event("ord-b2:OrderFailed", OrderEventTypes.OrderFailed, ConsumerTestBed.Snapshot("ord-b2", OrderStatus.Failed, 5, "OutOfStock: none left")),
            ConsumerTestBed.Event("ord-b3:OrderConfirmed", OrderEventTypes.OrderConfirmed, ConsumerTestBed.Snapshot("ord-b3", OrderStatus.Confirmed, 8)),
            ConsumerTestBed.Event("ord-b3:InventoryReserved", OrderEventTypes.InventoryReserved, ConsumerTestBed.Snapshot("ord-b3", OrderStatus.Reserving, 7)),
        ]);
        await using var services = ReadModelServices(bed, keyPrefix);
        var store = services.GetRequiredService<IStateStore>();

        await using (var consumer = bed.StartConsumer(("State:KeyPrefix", keyPrefix)))
        {
            // Lag can read 0 before the group's first read; the inbox rows say the batch was applied.
            await Eventually.TrueAsync(
                async () => await bed.AllHandledAsync() && await InboxRowsAsync(bed) >= 7,
                Bound,
                "all events projected");
        }

        Assert.Equal("Confirmed/3", await bed.ScalarAsync<string>("SELECT status || '/' || sequence FROM orders WHERE order_id = 'ord-b1'", Ct));
        Assert.Equal("Failed/5/OutOfStock: none left", await bed.ScalarAsync<string>("SELECT status || '/' || sequence || '/' || reason FROM orders WHERE order_id = 'ord-b2'", Ct));
        Assert.Equal("Cancelled/9", await bed.ScalarAsync<string>("SELECT status || '/' || sequence FROM orders WHERE order_id = 'ord-b3'", Ct));
        Assert.Equal((OrderStatus.Confirmed, 3), await StoredAsync(store, "ord-b1"));
        Assert.Equal((OrderStatus.Failed, 5), await StoredAsync(store, "ord-b2"));
        // The repeated event id is one inbox row: seven distinct events, all recorded once.
        Assert.Equal(7L, await bed.ScalarAsync<long>($"SELECT count(*) FROM consumer_inbox WHERE consumer_group = '{bed.Group}'", Ct));
        Assert.Empty(await bed.DeadLettersAsync());
    }

    private static async Task<(OrderStatus, int)> StoredAsync(IStateStore store, string orderId)
    {
        var stored = await store.GetAsync<OrderSnapshot>(OrderStateWriter.KeyFor(orderId), Ct);
        return (stored!.Value.Status, stored.Value.Sequence);
    }

    /// <summary>True only when Redis answered and holds no state for the order (unreachable is not empty).</summary>
    private static async Task<bool> IsReachableWithoutAsync(IStateStore store, string orderId)
    {
        try
        {
            return await store.GetAsync<OrderSnapshot>(OrderStateWriter.KeyFor(orderId), Ct) is null;
        }
        catch (StateStoreUnavailableException)
        {
            return false;
        }
    }

    private static async Task<StateEntry<OrderSnapshot>?> TryGetAsync(IStateStore store, string orderId)
    {
        try
        {
            return await store.GetAsync<OrderSnapshot>(OrderStateWriter.KeyFor(orderId), Ct);
        }
        catch (StateStoreUnavailableException)
        {
            return null;
        }
    }

    /// <summary>The read model as the HTTP functions register it: <c>AddOrderReadModel</c> over the same settings.</summary>
    private static ServiceProvider ReadModelServices(ConsumerTestBed bed, string keyPrefix)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serverless:Environment"] = "dev",
                ["Redis:Configuration"] = bed.RedisAddress,
                ["Redis:ConnectTimeout"] = "00:00:01",
                ["Postgres:ConnectionString"] = bed.PostgresConnectionString,
                ["Postgres:Schema"] = bed.Schema,
                ["State:KeyPrefix"] = keyPrefix,
            })
            .Build();
        var services = new ServiceCollection().AddLogging().AddMetrics();
        services.AddServerlessEnvironment(configuration);
        services.AddOrderReadModel(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>The group's inbox rows; 0 while the consumer has not created the table yet.</summary>
    private static async Task<long> InboxRowsAsync(ConsumerTestBed bed)
    {
        try
        {
            return await bed.ScalarAsync<long>($"SELECT count(*) FROM consumer_inbox WHERE consumer_group = '{bed.Group}'", Ct);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }
}

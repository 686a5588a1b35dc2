using Npgsql;
using Serverless.Catalog;
using Serverless.Orders.Events;
using Serverless.Platform.Messaging;
using Serverless.Platform.Postgres;

namespace Serverless.Consumers.Handlers;

/// <summary>A message to a customer about their order.</summary>
public sealed record Notification(string EventId, string CustomerId, string OrderId, string Kind, string Message);

/// <summary>
/// Delivers notifications. A provider that writes to PostgreSQL does so in the inbox transaction
/// (exactly once); a provider calling an outside service must pass <see cref="Notification.EventId"/>
/// as its idempotency key, since a crash after the send and before the commit repeats the send.
/// </summary>
public interface INotificationProvider
{
    Task SendAsync(Notification notification, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>The dev provider: records each notification in the <c>notifications</c> table instead of sending it.</summary>
public sealed class PostgresNotificationProvider : INotificationProvider
{
    public const string Name = "postgres";

    public static PostgresMigration Migration { get; } = new("notifications", """
        CREATE TABLE IF NOT EXISTS notifications (
            event_id    text PRIMARY KEY,
            customer_id text NOT NULL,
            order_id    text NOT NULL,
            kind        text NOT NULL,
            message     text NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now()
        )
        """);

    public async Task SendAsync(Notification notification, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO notifications (event_id, customer_id, order_id, kind, message) VALUES (@event, @customer, @order, @kind, @message)",
            connection,
            transaction);
        command.Parameters.AddWithValue("event", notification.EventId);
        command.Parameters.AddWithValue("customer", notification.CustomerId);
        command.Parameters.AddWithValue("order", notification.OrderId);
        command.Parameters.AddWithValue("kind", notification.Kind);
        command.Parameters.AddWithValue("message", notification.Message);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Tells customers what happened to their order: placed, confirmed, failed (with the reason) or cancelled.</summary>
public sealed class NotificationHandler(INotificationProvider provider) : ConsumerHandler<OrderSnapshot>, IStreamHandler
{
    public static string HandlerName => StreamHandlers.Notifications;

    public static void Register(IServiceCollection services, IConfiguration configuration, string group)
    {
        services.AddPostgresMigration(PostgresNotificationProvider.Migration);
        services.AddSingleton<INotificationProvider, PostgresNotificationProvider>();
        services.AddSingleton<IConsumerHandler, NotificationHandler>();
    }

    public static string? MessageFor(string eventType, OrderSnapshot order) => eventType switch
    {
        OrderEventTypes.OrderPlaced => $"We received your order {order.OrderId} ({order.TotalAmount} {order.Currency}).",
        OrderEventTypes.OrderConfirmed => $"Your order {order.OrderId} is confirmed.",
        OrderEventTypes.OrderFailed => $"We could not complete your order {order.OrderId}: {order.Reason}.",
        OrderEventTypes.OrderCancelled => $"Your order {order.OrderId} was cancelled: {order.Reason}.",
        // Internal progress: nothing to tell the customer.
        _ => null,
    };

    protected override OrderSnapshot? ParseData(ReceivedEvent received) => OrderSnapshots.ReadOrderEvent(received.Event);

    protected override Task ApplyAsync(ReceivedEvent received, OrderSnapshot data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        MessageFor(received.Event.Type, data) is { } message
            ? provider.SendAsync(new Notification(received.Event.Id, data.CustomerId, data.OrderId, received.Event.Type, message), connection, transaction, cancellationToken)
            : Task.CompletedTask;
}

using Serverless.Orders.Contracts;
using Serverless.Orders.Events;

namespace Serverless.Orders.ReadModel;

/// <summary>An order as customers and support see it: the projection of its events.</summary>
public sealed record OrderView(
    string OrderId,
    string CustomerId,
    OrderStatus Status,
    decimal TotalAmount,
    string Currency,
    string? FailureReason,
    IReadOnlyList<OrderStep> Steps,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The view of an order as its latest event left it.</summary>
    public static OrderView Of(OrderSnapshot snapshot) => new(
        snapshot.OrderId, snapshot.CustomerId, snapshot.Status, snapshot.TotalAmount, snapshot.Currency, snapshot.Reason, snapshot.Steps, snapshot.OccurredAt);
}

/// <summary>
/// Reads the order read model (state store first, PostgreSQL when Redis is unavailable). Null means
/// the read model does not know the order (yet): callers may fall back to querying the workflow.
/// </summary>
public interface IOrderReadModel
{
    Task<OrderView?> FindAsync(string orderId, CancellationToken cancellationToken);
}

using Serverless.Orders.Contracts;

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
    DateTimeOffset UpdatedAt);

/// <summary>
/// Reads the order read model (state store first, PostgreSQL when Redis is unavailable). Null means
/// the read model does not know the order (yet): callers may fall back to querying the workflow.
/// </summary>
public interface IOrderReadModel
{
    Task<OrderView?> FindAsync(string orderId, CancellationToken cancellationToken);
}

using Serverless.Orders.Contracts;

namespace Serverless.Orders.Events;

/// <summary>CloudEvent types of the order process (architecture §2), published to the <c>orders</c> topic.</summary>
public static class OrderEventTypes
{
    public const string OrderPlaced = "OrderPlaced";
    public const string InventoryReserved = "InventoryReserved";
    public const string PaymentCaptured = "PaymentCaptured";
    public const string OrderConfirmed = "OrderConfirmed";
    public const string OrderFailed = "OrderFailed";
    public const string OrderCancelled = "OrderCancelled";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        OrderPlaced, InventoryReserved, PaymentCaptured, OrderConfirmed, OrderFailed, OrderCancelled,
    };

    /// <summary>
    /// The CloudEvent id: workflow id + event type. Each type happens at most once per order, and a
    /// retried publish sends the same id, so every consumer's inbox sees a redelivery as one event.
    /// </summary>
    public static string EventId(string workflowId, string eventType) => IdempotencyKeys.For(workflowId, eventType);
}

/// <summary>
/// The data of every order event: the order as it stands after the event. <paramref name="Sequence"/>
/// counts the order's events (1, 2, ...), so a projection can apply them in any delivery order and
/// keep the newest. <paramref name="Reason"/> is the failure or cancellation reason.
/// </summary>
public sealed record OrderSnapshot(
    string OrderId,
    string CustomerId,
    OrderStatus Status,
    decimal TotalAmount,
    string Currency,
    string? Reason,
    IReadOnlyList<OrderStep> Steps,
    int Sequence,
    DateTimeOffset OccurredAt)
{
    /// <summary>What makes a snapshot unusable, in words for a dead-letter reason.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(OrderId))
        {
            yield return "orderId is missing";
        }

        if (string.IsNullOrWhiteSpace(CustomerId))
        {
            yield return "customerId is missing";
        }

        if (string.IsNullOrWhiteSpace(Currency))
        {
            yield return "currency is missing";
        }

        if (Sequence < 1)
        {
            yield return $"sequence must be 1 or more, got {Sequence}";
        }

        if (Steps is null)
        {
            yield return "steps are missing";
        }

        if (!Enum.IsDefined(Status))
        {
            yield return $"status {(int)Status} is unknown";
        }
    }
}

/// <summary>Input of the publishing activity.</summary>
public sealed record PublishOrderEventRequest(string EventType, OrderSnapshot Order);

using System.Text.Json.Serialization;

namespace Serverless.Orders.Contracts;

/// <summary>One line of an order. Prices are decimal: money is never a binary float.</summary>
public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice);

/// <summary>The workflow's input: an order the HTTP function has already validated.</summary>
public sealed record OrderInput(
    string OrderId,
    string CustomerId,
    IReadOnlyList<OrderLine> Lines,
    string Currency,
    string PaymentToken)
{
    public decimal TotalAmount() => Lines.Sum(line => line.Quantity * line.UnitPrice);
}

[JsonConverter(typeof(JsonStringEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    Received,
    Reserving,
    Charging,
    Confirming,
    Compensating,
    Confirmed,
    Failed,
    Cancelled,

    /// <summary>Accepted into the outbox while Temporal was unreachable; its workflow starts when the relay gets through.</summary>
    Queued,
}

[JsonConverter(typeof(JsonStringEnumConverter<StepOutcome>))]
public enum StepOutcome
{
    Succeeded,
    Failed,
    Compensated,
    Requested,
    Rejected,
}

/// <summary>One entry of an order's step history, as shown by the status query.</summary>
public sealed record OrderStep(string Name, StepOutcome Outcome, DateTime At, string? Detail = null);

/// <summary>What the status query returns: where the order is and how it got there.</summary>
public sealed record OrderProgress(
    string OrderId,
    OrderStatus Status,
    bool CanCancel,
    string? FailureReason,
    IReadOnlyList<OrderStep> Steps);

/// <summary>What the workflow returns when it ends. Business failures end here too, not as workflow errors.</summary>
public sealed record OrderOutcome(
    string OrderId,
    OrderStatus Status,
    string? Reason,
    string? ReservationId,
    string? ChargeId);

public sealed record ReserveInventoryRequest(string OrderId, IReadOnlyList<OrderLine> Lines);

public sealed record Reservation(string ReservationId);

public sealed record ConfirmReservationRequest(string OrderId, string ReservationId);

public sealed record ReleaseInventoryRequest(string OrderId, string ReservationId);

public sealed record ChargePaymentRequest(string OrderId, string CustomerId, decimal Amount, string Currency, string PaymentToken);

public sealed record PaymentReceipt(string ChargeId);

public sealed record RefundPaymentRequest(string OrderId, string ChargeId, decimal Amount, string Currency);

public sealed record CancelOrderRequest(string? Reason);

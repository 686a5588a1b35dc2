using System.Text.Json.Serialization;
using Serverless.Orders.Contracts;

namespace Serverless.Functions.Orders;

/// <summary>
/// Body of <c>202 Accepted</c> for a placed order: where to follow it. <c>status</c> is present only
/// when the order waits in the outbox (<c>Queued</c>, or <c>Cancelled</c> there) because Temporal was unreachable.
/// </summary>
public sealed record OrderAccepted(
    string OrderId,
    string IdempotencyKey,
    string StatusUrl,
    string CancelUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OrderStatus? Status = null);

/// <summary>Body of <c>202 Accepted</c> for a cancellation: the signal is delivered, the outcome shows on the status resource.</summary>
public sealed record CancellationAccepted(string OrderId, string StatusUrl);

[JsonConverter(typeof(JsonStringEnumConverter<OrderStatusSource>))]
public enum OrderStatusSource
{
    /// <summary>The order read model (state store, then PostgreSQL); may trail the workflow slightly.</summary>
    ReadModel,

    /// <summary>A query of the running (or finished) order workflow.</summary>
    Workflow,

    /// <summary>The order outbox: accepted while Temporal was unreachable, its workflow not started yet.</summary>
    Outbox,
}

/// <summary>An order's status as <c>GET /api/orders/{id}</c> shows it.</summary>
public sealed record OrderStatusView(
    string OrderId,
    OrderStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? CanCancel,
    string? FailureReason,
    IReadOnlyList<OrderStep> Steps,
    OrderStatusSource Source,
    string CancelUrl);

/// <summary>Paths of an order's resources; the same in both hosts (the Functions host runs with an empty route prefix).</summary>
public static class OrderLinks
{
    public const string Orders = "api/orders";

    public static string Status(string orderId) => $"/{Orders}/{orderId}";

    public static string Cancel(string orderId) => $"/{Orders}/{orderId}/cancel";
}

using Microsoft.Extensions.Logging;
using Serverless.Orders.Contracts;

namespace Serverless.Orders;

/// <summary>Structured log events of the order process (source-generated: no cost when disabled).</summary>
internal static partial class OrderLog
{
    [LoggerMessage(1000, LogLevel.Information, "Order {OrderId} received: {LineCount} lines, {Amount} {Currency}")]
    public static partial void OrderReceived(this ILogger logger, string orderId, int lineCount, decimal amount, string currency);

    [LoggerMessage(1001, LogLevel.Warning, "Order {OrderId}: step {Step} failed: {Reason}")]
    public static partial void StepFailed(this ILogger logger, string orderId, string step, string reason);

    [LoggerMessage(1002, LogLevel.Error, "Order {OrderId}: compensation {Step} failed: {Reason}")]
    public static partial void CompensationFailed(this ILogger logger, string orderId, string step, string reason);

    [LoggerMessage(1003, LogLevel.Information, "Order {OrderId} ended {Status}: {Reason}")]
    public static partial void OrderEnded(this ILogger logger, string orderId, OrderStatus status, string? reason);

    [LoggerMessage(1100, LogLevel.Information, "Reserved inventory {ReservationId} for order {OrderId}")]
    public static partial void InventoryReserved(this ILogger logger, string reservationId, string orderId);

    [LoggerMessage(1101, LogLevel.Information, "Confirmed reservation {ReservationId} for order {OrderId}")]
    public static partial void ReservationConfirmed(this ILogger logger, string reservationId, string orderId);

    [LoggerMessage(1102, LogLevel.Information, "Released reservation {ReservationId} of order {OrderId}")]
    public static partial void InventoryReleased(this ILogger logger, string reservationId, string orderId);

    [LoggerMessage(1103, LogLevel.Information, "Reservation {ReservationId} of order {OrderId} holds nothing to release ({Code})")]
    public static partial void NothingToRelease(this ILogger logger, string reservationId, string orderId, string code);

    [LoggerMessage(1200, LogLevel.Information, "Captured {Amount} {Currency} as charge {ChargeId} for order {OrderId}")]
    public static partial void PaymentCaptured(this ILogger logger, decimal amount, string currency, string chargeId, string orderId);

    [LoggerMessage(1201, LogLevel.Information, "Refunded {Amount} {Currency} of charge {ChargeId} as {RefundId} for order {OrderId}")]
    public static partial void PaymentRefunded(this ILogger logger, decimal amount, string currency, string chargeId, string refundId, string orderId);
}

using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Testing.Replay;

namespace Serverless.Orders.Tests.Replay;

/// <summary>The activity sequences a live worker records for each order path.</summary>
internal static class OrderHistories
{
    public const string Inventory = "dev-inventory";
    public const string Payments = "dev-payments";
    public const string ReservationId = "res-1";
    public const string ChargeId = "ch-1";

    public static OrderInput Input(string token = "tok_visa") => new(
        "ord-replay-1",
        "cust-1",
        [new OrderLine("SKU-1", 2, 10.50m), new OrderLine("SKU-2", 1, 5m)],
        "EUR",
        token);

    public static HistoryBuilder Start() => new(OrderWorkflow.Name, Input());

    public static HistoryBuilder Reserved(this HistoryBuilder history) =>
        history.Activity("ReserveInventory", Inventory, new Reservation(ReservationId));

    public static HistoryBuilder Charged(this HistoryBuilder history) =>
        history.Activity("ChargePayment", Payments, new PaymentReceipt(ChargeId));

    public static HistoryBuilder Confirmed(this HistoryBuilder history) =>
        history.Activity("ConfirmReservation", Inventory);

    public static HistoryBuilder Released(this HistoryBuilder history) =>
        history.Activity("ReleaseInventory", Inventory);

    public static HistoryBuilder Refunded(this HistoryBuilder history) =>
        history.Activity("RefundPayment", Payments);

    public static OrderOutcome Outcome(OrderStatus status, string? reason = null, bool reserved = true, bool charged = true) =>
        new(Input().OrderId, status, reason, reserved ? ReservationId : null, charged ? ChargeId : null);
}

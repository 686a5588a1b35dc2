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

    /// <summary>The workflow's own queue: its workflow tasks run there, and with them its local activities.</summary>
    public const string OrdersQueue = HistoryBuilder.WorkflowTaskQueue;

    public const string PublishOrderEvent = "PublishOrderEvent";

    /// <summary>
    /// The start of every path of the current version: the workflow takes the events patch and
    /// begins by publishing OrderPlaced.
    /// </summary>
    public static HistoryBuilder Start() => Patched().Published();

    /// <summary>A new run up to its first publish: the events patch recorded in the first workflow task.</summary>
    public static HistoryBuilder Patched() => new HistoryBuilder(OrderWorkflow.Name, Input()).Patched(OrderWorkflow.EventsAsLocalActivitiesPatch);

    /// <summary>An order started before the events patch: OrderPlaced published by an activity on the orders queue.</summary>
    public static HistoryBuilder StartBeforePatch() => new HistoryBuilder(OrderWorkflow.Name, Input()).PublishedBeforePatch();

    /// <summary>One domain event published, as before the events patch, by an activity task on the orders queue.</summary>
    public static HistoryBuilder PublishedBeforePatch(this HistoryBuilder history) => history.Activity(PublishOrderEvent, OrdersQueue);

    /// <summary>
    /// One domain event published by a local activity inside the workflow task just recorded (the
    /// marker does not say which event; the code decides).
    /// </summary>
    public static HistoryBuilder Published(this HistoryBuilder history) => history.LocalActivity(PublishOrderEvent);

    /// <summary>Reserved, then InventoryReserved published.</summary>
    public static HistoryBuilder Reserved(this HistoryBuilder history) =>
        history.Activity("ReserveInventory", Inventory, new Reservation(ReservationId)).Published();

    /// <summary>Charged, then PaymentCaptured published.</summary>
    public static HistoryBuilder Charged(this HistoryBuilder history) =>
        history.Activity("ChargePayment", Payments, new PaymentReceipt(ChargeId)).Published();

    /// <summary>Reservation confirmed, then OrderConfirmed published.</summary>
    public static HistoryBuilder Confirmed(this HistoryBuilder history) =>
        history.Activity("ConfirmReservation", Inventory).Published();

    public static HistoryBuilder Released(this HistoryBuilder history) =>
        history.Activity("ReleaseInventory", Inventory);

    public static HistoryBuilder Refunded(this HistoryBuilder history) =>
        history.Activity("RefundPayment", Payments);

    public static OrderOutcome Outcome(OrderStatus status, string? reason = null, bool reserved = true, bool charged = true) =>
        new(Input().OrderId, status, reason, reserved ? ReservationId : null, charged ? ChargeId : null);
}

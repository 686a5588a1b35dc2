namespace Serverless.Orders.Contracts;

/// <summary>Step names shown in an order's history and used in idempotency keys.</summary>
public static class OrderSteps
{
    public const string ReserveInventory = "reserve-inventory";
    public const string ChargePayment = "charge-payment";
    public const string ConfirmReservation = "confirm-reservation";
    public const string RefundPayment = "refund-payment";
    public const string ReleaseInventory = "release-inventory";
    public const string Cancel = "cancel";
}

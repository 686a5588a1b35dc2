namespace Serverless.Orders.Contracts;

/// <summary>
/// Error types of business failures. Activities raise them as non-retryable application failures
/// and the workflow's retry policies list them as non-retryable too, so a decline is never retried
/// however an activity reports it.
/// </summary>
public static class OrderFailures
{
    public const string OutOfStock = "OutOfStock";
    public const string PaymentDeclined = "PaymentDeclined";
    public const string ReservationExpired = "ReservationExpired";
    public const string InvalidOrder = "InvalidOrder";
    public const string ChargeNotFound = "ChargeNotFound";

    public static IReadOnlyList<string> All { get; } =
        [OutOfStock, PaymentDeclined, ReservationExpired, InvalidOrder, ChargeNotFound];
}

namespace Serverless.Orders.Integrations;

// Wire contract of the inventory service. The simulator in workers/Serverless.Simulators serves it.

public sealed record ReservationLineBody(string Sku, int Quantity);

public sealed record ReservationRequestBody(string OrderId, IReadOnlyList<ReservationLineBody> Lines);

public sealed record ReservationResponseBody(string ReservationId, string Status, DateTimeOffset ExpiresAt);

public sealed record StockResponseBody(string Sku, int Available, int Reserved, int Confirmed);

public static class InventoryErrorCodes
{
    public const string OutOfStock = "out_of_stock";
    public const string InvalidRequest = "invalid_request";
    public const string ReservationExpired = "reservation_expired";
    public const string ReservationNotFound = "reservation_not_found";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
}

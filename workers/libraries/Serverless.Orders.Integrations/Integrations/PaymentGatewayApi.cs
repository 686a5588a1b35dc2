namespace Serverless.Orders.Integrations;

// Wire contract of the payment gateway. The simulator in workers/Serverless.Simulators serves it.

public sealed record ChargeRequestBody(string OrderId, string CustomerId, decimal Amount, string Currency, string PaymentToken);

public sealed record ChargeResponseBody(string ChargeId, string Status, decimal Amount, string Currency);

public sealed record RefundRequestBody(decimal Amount, string Currency);

public sealed record RefundResponseBody(string RefundId, string ChargeId, decimal Amount);

/// <summary>Error body of both external APIs: a stable machine code plus words for people.</summary>
public sealed record ApiErrorBody(string Code, string Message);

public static class PaymentErrorCodes
{
    public const string CardDeclined = "card_declined";
    public const string InvalidRequest = "invalid_request";
    public const string ChargeNotFound = "charge_not_found";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
}

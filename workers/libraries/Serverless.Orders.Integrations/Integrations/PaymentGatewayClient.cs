using System.Net;

namespace Serverless.Orders.Integrations;

/// <summary>Typed client of the payment gateway (timeouts and resilience come from its registration).</summary>
public sealed class PaymentGatewayClient(HttpClient http) : ExternalApiClient(http)
{
    private static readonly HashSet<HttpStatusCode> ChargeRejections =
        [HttpStatusCode.PaymentRequired, HttpStatusCode.BadRequest, HttpStatusCode.Conflict];

    private static readonly HashSet<HttpStatusCode> RefundRejections =
        [HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.Conflict];

    public Task<ExternalCallResult<ChargeResponseBody>> ChargeAsync(
        ChargeRequestBody charge, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync<ChargeResponseBody>(HttpMethod.Post, "v1/charges", charge, idempotencyKey, ChargeRejections, cancellationToken);

    public Task<ExternalCallResult<RefundResponseBody>> RefundAsync(
        string chargeId, RefundRequestBody refund, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync<RefundResponseBody>(
            HttpMethod.Post,
            $"v1/charges/{Uri.EscapeDataString(chargeId)}/refunds",
            refund,
            idempotencyKey,
            RefundRejections,
            cancellationToken);
}

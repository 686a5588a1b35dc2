using System.Net;

namespace Serverless.Orders.Integrations;

/// <summary>Typed client of the inventory service (timeouts and resilience come from its registration).</summary>
public sealed class InventoryServiceClient(HttpClient http) : ExternalApiClient(http)
{
    private static readonly HashSet<HttpStatusCode> ReserveRejections =
        [HttpStatusCode.Conflict, HttpStatusCode.BadRequest];

    private static readonly HashSet<HttpStatusCode> ReservationRejections =
        [HttpStatusCode.Gone, HttpStatusCode.NotFound, HttpStatusCode.Conflict];

    public Task<ExternalCallResult<ReservationResponseBody>> ReserveAsync(
        ReservationRequestBody reservation, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync<ReservationResponseBody>(
            HttpMethod.Post, "v1/reservations", reservation, idempotencyKey, ReserveRejections, cancellationToken);

    public Task<ExternalCallResult<ReservationResponseBody>> ConfirmAsync(
        string reservationId, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync<ReservationResponseBody>(
            HttpMethod.Post,
            $"v1/reservations/{Uri.EscapeDataString(reservationId)}/confirm",
            body: null,
            idempotencyKey,
            ReservationRejections,
            cancellationToken);

    public Task<ExternalCallResult<ReservationResponseBody>> ReleaseAsync(
        string reservationId, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync<ReservationResponseBody>(
            HttpMethod.Delete,
            $"v1/reservations/{Uri.EscapeDataString(reservationId)}",
            body: null,
            idempotencyKey,
            ReservationRejections,
            cancellationToken);
}

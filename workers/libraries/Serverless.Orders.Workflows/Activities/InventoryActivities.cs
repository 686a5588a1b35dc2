using Microsoft.Extensions.Logging;
using Serverless.Catalog;
using Serverless.Orders.Contracts;
using Serverless.Orders.Integrations;
using Temporalio.Activities;

namespace Serverless.Orders.Activities;

/// <summary>Activities of the <c>inventory</c> task queue. Each call carries an idempotency key.</summary>
public sealed class InventoryActivities(InventoryServiceClient inventory, ILogger<InventoryActivities> logger) : IRunsOn
{
    public static ActivityQueue Queue => ActivityQueues.Inventory;

    [Activity]
    public async Task<Reservation> ReserveInventoryAsync(ReserveInventoryRequest request)
    {
        var key = ActivityIdempotency.KeyFor(OrderSteps.ReserveInventory);
        var body = new ReservationRequestBody(
            request.OrderId, request.Lines.Select(line => new ReservationLineBody(line.Sku, line.Quantity)).ToList());
        var result = await ActivityHeartbeats.WhileRunningAsync(ct => inventory.ReserveAsync(body, key, ct));
        if (!result.Succeeded)
        {
            var errorType = result.Rejection!.Code == InventoryErrorCodes.OutOfStock
                ? OrderFailures.OutOfStock
                : OrderFailures.InvalidOrder;
            throw BusinessFailure.From(errorType, result.Rejection);
        }

        logger.InventoryReserved(result.Value!.ReservationId, request.OrderId);
        return new Reservation(result.Value.ReservationId);
    }

    [Activity]
    public async Task ConfirmReservationAsync(ConfirmReservationRequest request)
    {
        var result = await ActivityHeartbeats.WhileRunningAsync(
            ct => inventory.ConfirmAsync(request.ReservationId, ActivityIdempotency.KeyFor(OrderSteps.ConfirmReservation), ct));
        if (!result.Succeeded)
        {
            throw BusinessFailure.From(OrderFailures.ReservationExpired, result.Rejection!);
        }

        logger.ReservationConfirmed(request.ReservationId, request.OrderId);
    }

    [Activity]
    public async Task ReleaseInventoryAsync(ReleaseInventoryRequest request)
    {
        var result = await ActivityHeartbeats.WhileRunningAsync(
            ct => inventory.ReleaseAsync(request.ReservationId, ActivityIdempotency.KeyFor(OrderSteps.ReleaseInventory), ct));
        if (!result.Succeeded)
        {
            // Unknown or expired reservations hold nothing: the compensation's goal is already met.
            if (result.Rejection!.Code is InventoryErrorCodes.ReservationNotFound or InventoryErrorCodes.ReservationExpired)
            {
                logger.NothingToRelease(request.ReservationId, request.OrderId, result.Rejection.Code);
                return;
            }

            throw BusinessFailure.From(result.Rejection.Code, result.Rejection);
        }

        logger.InventoryReleased(request.ReservationId, request.OrderId);
    }
}

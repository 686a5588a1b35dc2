using Microsoft.Extensions.Logging;
using Serverless.Catalog;
using Serverless.Orders.Contracts;
using Serverless.Orders.Integrations;
using Temporalio.Activities;

namespace Serverless.Orders.Activities;

/// <summary>Activities of the <c>payments</c> task queue. Each call carries an idempotency key.</summary>
public sealed class PaymentActivities(PaymentGatewayClient gateway, ILogger<PaymentActivities> logger) : IRunsOn
{
    public static ActivityQueue Queue => ActivityQueues.Payments;

    [Activity]
    public async Task<PaymentReceipt> ChargePaymentAsync(ChargePaymentRequest request)
    {
        var body = new ChargeRequestBody(request.OrderId, request.CustomerId, request.Amount, request.Currency, request.PaymentToken);
        var result = await ActivityHeartbeats.WhileRunningAsync(
            ct => gateway.ChargeAsync(body, ActivityIdempotency.KeyFor(OrderSteps.ChargePayment), ct));
        if (!result.Succeeded)
        {
            var errorType = result.Rejection!.Code == PaymentErrorCodes.CardDeclined
                ? OrderFailures.PaymentDeclined
                : OrderFailures.InvalidOrder;
            throw BusinessFailure.From(errorType, result.Rejection);
        }

        logger.PaymentCaptured(request.Amount, request.Currency, result.Value!.ChargeId, request.OrderId);
        return new PaymentReceipt(result.Value.ChargeId);
    }

    [Activity]
    public async Task RefundPaymentAsync(RefundPaymentRequest request)
    {
        var result = await ActivityHeartbeats.WhileRunningAsync(
            ct => gateway.RefundAsync(request.ChargeId, new RefundRequestBody(request.Amount, request.Currency), ActivityIdempotency.KeyFor(OrderSteps.RefundPayment), ct));
        if (!result.Succeeded)
        {
            throw BusinessFailure.From(OrderFailures.ChargeNotFound, result.Rejection!);
        }

        logger.PaymentRefunded(request.Amount, request.Currency, request.ChargeId, result.Value!.RefundId, request.OrderId);
    }
}

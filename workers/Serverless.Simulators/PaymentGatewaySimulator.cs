using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serverless.Orders.Integrations;

namespace Serverless.Simulators;

/// <summary>A payment gateway that captures charges in memory and keeps a ledger tests can read.</summary>
public sealed class PaymentGatewaySimulator(IOptions<PaymentGatewaySimulatorOptions> options)
{
    private readonly PaymentGatewaySimulatorOptions settings = options.Value;
    private readonly ConcurrentDictionary<string, ChargeResponseBody> charges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RefundResponseBody> refunds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> orderOfCharge = new(StringComparer.Ordinal);
    private readonly IdempotentResponses responses = new();

    public FaultInjector Faults { get; } = new(options.Value);

    public IReadOnlyCollection<ChargeResponseBody> Charges => charges.Values.ToList();

    public IReadOnlyCollection<RefundResponseBody> Refunds => refunds.Values.ToList();

    /// <summary>How many times money was captured for an order: exactly-once checks count this.</summary>
    public int ChargesFor(string orderId) => orderOfCharge.Values.Count(o => o == orderId);

    public Task<IResult> ChargeAsync(string key, ChargeRequestBody request)
    {
        var fingerprint = $"charge|{request.OrderId}|{request.CustomerId}|{request.Amount}|{request.Currency}|{request.PaymentToken}";
        return responses.ExecuteAsync(key, fingerprint, () => Charge(request), Faults.LosesResponse());
    }

    public Task<IResult> RefundAsync(string key, string chargeId, RefundRequestBody request)
    {
        var fingerprint = $"refund|{chargeId}|{request.Amount}|{request.Currency}";
        return responses.ExecuteAsync(key, fingerprint, () => Refund(chargeId, request), Faults.LosesResponse());
    }

    private (int, object) Charge(ChargeRequestBody request)
    {
        if (request.Amount <= 0 || request.Currency is not { Length: 3 } || string.IsNullOrWhiteSpace(request.PaymentToken))
        {
            return (StatusCodes.Status400BadRequest, new ApiErrorBody(PaymentErrorCodes.InvalidRequest, "amount must be positive, currency ISO 4217, token present"));
        }

        if (settings.DeclinedTokens.Contains(request.PaymentToken, StringComparer.Ordinal))
        {
            return (StatusCodes.Status402PaymentRequired, new ApiErrorBody(PaymentErrorCodes.CardDeclined, "The issuer declined the card."));
        }

        if (request.Amount > settings.MaxChargeAmount)
        {
            return (StatusCodes.Status402PaymentRequired, new ApiErrorBody(PaymentErrorCodes.CardDeclined, $"Amount exceeds the card limit of {settings.MaxChargeAmount}."));
        }

        var charge = new ChargeResponseBody($"ch_{Guid.NewGuid():N}", "captured", request.Amount, request.Currency);
        charges[charge.ChargeId] = charge;
        orderOfCharge[charge.ChargeId] = request.OrderId;
        return (StatusCodes.Status201Created, charge);
    }

    private (int, object) Refund(string chargeId, RefundRequestBody request)
    {
        if (!charges.TryGetValue(chargeId, out var charge))
        {
            return (StatusCodes.Status404NotFound, new ApiErrorBody(PaymentErrorCodes.ChargeNotFound, $"No charge {chargeId}."));
        }

        if (request.Amount <= 0 || request.Amount > charge.Amount)
        {
            return (StatusCodes.Status400BadRequest, new ApiErrorBody(PaymentErrorCodes.InvalidRequest, $"Refund must be between 0 and {charge.Amount}."));
        }

        var refund = new RefundResponseBody($"re_{Guid.NewGuid():N}", chargeId, request.Amount);
        refunds[refund.RefundId] = refund;
        return (StatusCodes.Status201Created, refund);
    }
}

using Serverless.Orders.Activities;
using Serverless.Orders.Contracts;
using Serverless.Testing;
using Temporalio.Exceptions;

namespace Serverless.Orders.Tests.Activities;

public sealed class PaymentActivitiesTests
{
    private static ChargePaymentRequest Charge(string token = "tok_visa", decimal amount = 42.50m) =>
        new("ord-pay-1", "cust-1", amount, "EUR", token);

    [Fact]
    public async Task ChargePayment_AcceptedCard_ReturnsReceiptAndCapturesOnce()
    {
        await using var harness = await ActivityHarness.StartAsync();
        var activities = harness.Activities<PaymentActivities>();

        var receipt = await harness.Environment("ord-pay-1").RunAsync(() => activities.ChargePaymentAsync(Charge()));

        var charge = Assert.Single(harness.Simulators.Gateway.Charges);
        Assert.Equal(charge.ChargeId, receipt.ChargeId);
        Assert.Equal(42.50m, charge.Amount);
    }

    [Theory]
    [InlineData("tok_declined", 10)]
    [InlineData("tok_visa", 1_000_000)]
    public async Task ChargePayment_Declined_ThrowsNonRetryableBusinessFailure(string token, decimal amount)
    {
        await using var harness = await ActivityHarness.StartAsync();
        var activities = harness.Activities<PaymentActivities>();

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(
            () => harness.Environment("ord-pay-1").RunAsync(() => activities.ChargePaymentAsync(Charge(token, amount))));

        Assert.Equal(OrderFailures.PaymentDeclined, failure.ErrorType);
        Assert.True(failure.NonRetryable);
        Assert.Empty(harness.Simulators.Gateway.Charges);
    }

    [Fact]
    public async Task ChargePayment_GatewayUnavailable_ThrowsRetryableFault()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Simulators:PaymentGateway:TransientFailureRate"] = "1",
        });
        var activities = harness.Activities<PaymentActivities>();

        var fault = await Assert.ThrowsAnyAsync<Exception>(
            () => harness.Environment("ord-pay-1").RunAsync(() => activities.ChargePaymentAsync(Charge())));

        // Not an ApplicationFailureException marked non-retryable: Temporal retries it with backoff.
        Assert.IsType<HttpRequestException>(fault);
        Assert.Empty(harness.Simulators.Gateway.Charges);
    }

    [Fact]
    public async Task ChargePayment_TransientFaultsWithinCallRetries_Succeeds()
    {
        await using var harness = await ActivityHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["Simulators:PaymentGateway:TransientFailureRate"] = "0.5",
                ["Simulators:PaymentGateway:Seed"] = "7",
            },
            maxRetries: 6);
        var activities = harness.Activities<PaymentActivities>();

        var receipt = await harness.Environment("ord-pay-1").RunAsync(() => activities.ChargePaymentAsync(Charge()));

        Assert.Equal(receipt.ChargeId, Assert.Single(harness.Simulators.Gateway.Charges).ChargeId);
    }

    [Fact]
    public async Task ChargePayment_RetriedAfterLostAnswer_ChargesOnlyOnce()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Simulators:PaymentGateway:ResponseLossRate"] = "1",
        });
        var activities = harness.Activities<PaymentActivities>();

        // First attempt: the gateway captures the money but the answer is lost.
        await Assert.ThrowsAsync<HttpRequestException>(
            () => harness.Environment("ord-pay-1").RunAsync(() => activities.ChargePaymentAsync(Charge())));
        Assert.Single(harness.Simulators.Gateway.Charges);

        // Temporal's retry: same workflow, same step, so the same idempotency key.
        harness.Simulators.GatewaySettings.ResponseLossRate = 0;
        var receipt = await harness.Environment("ord-pay-1").RunAsync(() => activities.ChargePaymentAsync(Charge()));

        var charge = Assert.Single(harness.Simulators.Gateway.Charges);
        Assert.Equal(charge.ChargeId, receipt.ChargeId);
    }

    [Fact]
    public async Task ChargePayment_OtherWorkflowSameBody_ChargesAgain()
    {
        await using var harness = await ActivityHarness.StartAsync();
        var activities = harness.Activities<PaymentActivities>();

        await harness.Environment("ord-pay-1").RunAsync(() => activities.ChargePaymentAsync(Charge()));
        await harness.Environment("ord-pay-2").RunAsync(() => activities.ChargePaymentAsync(Charge()));

        Assert.Equal(2, harness.Simulators.Gateway.Charges.Count);
    }

    [Fact]
    public async Task ChargePayment_SlowGateway_HeartbeatsWhileWaiting()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Simulators:PaymentGateway:MinLatency"] = "00:00:01.500",
            ["Simulators:PaymentGateway:MaxLatency"] = "00:00:01.500",
        });
        var activities = harness.Activities<PaymentActivities>();

        await harness.Environment("ord-pay-1", heartbeatTimeout: TimeSpan.FromMilliseconds(600))
            .RunAsync(() => activities.ChargePaymentAsync(Charge()));

        // 1.5 s of waiting with a heartbeat every 200 ms: several heartbeats, whatever the scheduling jitter.
        Assert.True(harness.Heartbeats.Count >= 2, $"expected heartbeats while waiting, got {harness.Heartbeats.Count}");
    }

    [Fact]
    public async Task ChargePayment_Cancelled_StopsWaitingWithoutCharging()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Simulators:PaymentGateway:MinLatency"] = "00:00:30",
            ["Simulators:PaymentGateway:MaxLatency"] = "00:00:30",
        });
        var activities = harness.Activities<PaymentActivities>();
        var environment = harness.Environment("ord-pay-1", heartbeatTimeout: TimeSpan.FromMilliseconds(300));

        var running = environment.RunAsync(() => activities.ChargePaymentAsync(Charge()));
        await Eventually.TrueAsync(() => harness.Heartbeats.Count > 0, TimeSpan.FromSeconds(10), "the activity heartbeats while it waits");
        environment.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Empty(harness.Simulators.Gateway.Charges);
    }

    [Fact]
    public async Task RefundPayment_KnownCharge_RefundsOnceEvenWhenRetried()
    {
        await using var harness = await ActivityHarness.StartAsync();
        var activities = harness.Activities<PaymentActivities>();
        var receipt = await harness.Environment("ord-pay-1").RunAsync(() => activities.ChargePaymentAsync(Charge()));
        var refund = new RefundPaymentRequest("ord-pay-1", receipt.ChargeId, 42.50m, "EUR");

        await harness.Environment("ord-pay-1").RunAsync(() => activities.RefundPaymentAsync(refund));
        await harness.Environment("ord-pay-1").RunAsync(() => activities.RefundPaymentAsync(refund));

        Assert.Equal(receipt.ChargeId, Assert.Single(harness.Simulators.Gateway.Refunds).ChargeId);
    }

    [Fact]
    public async Task RefundPayment_UnknownCharge_ThrowsNonRetryableChargeNotFound()
    {
        await using var harness = await ActivityHarness.StartAsync();
        var activities = harness.Activities<PaymentActivities>();

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(() => harness.Environment("ord-pay-1")
            .RunAsync(() => activities.RefundPaymentAsync(new RefundPaymentRequest("ord-pay-1", "ch_missing", 1m, "EUR"))));

        Assert.Equal(OrderFailures.ChargeNotFound, failure.ErrorType);
        Assert.True(failure.NonRetryable);
    }
}

using System.Net;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Orders;

public sealed class CancelOrderTests(RecordedFunctionsFixture fixture) : IClassFixture<RecordedFunctionsFixture>
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task CancelOrder_BeforePayment_SignalsCancelWithTheReasonAndReturns202()
    {
        var orderId = await PlaceAsync();

        using var response = await Client.SendAsync(Cancel(orderId, """{"reason":"changed my mind"}"""), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/orders/{orderId}", response.Headers.Location?.OriginalString);
        Assert.Equal($"/api/orders/{orderId}", (await JsonAsync(response)).GetProperty("statusUrl").GetString());
        var signal = Assert.Single(fixture.Temporal.Signals, s => s.WorkflowId == orderId);
        Assert.Equal(("Cancel", "changed my mind"), (signal.Signal, signal.Request.Reason));
    }

    [Fact]
    public async Task CancelOrder_ReasonInAnyScript_IsSignalledAsWritten()
    {
        var orderId = await PlaceAsync();
        const string reason = "Zu spät geliefert — التسليم متأخر — 配達が遅い 😞";

        using var response = await Client.SendAsync(Cancel(orderId, $$"""{"reason":"{{reason}}"}"""), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(reason, Assert.Single(fixture.Temporal.Signals, s => s.WorkflowId == orderId).Request.Reason);
    }

    [Fact]
    public async Task CancelOrder_WithoutBody_SignalsCancelWithoutReason()
    {
        var orderId = await PlaceAsync();

        using var response = await Client.SendAsync(Cancel(orderId), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Null(Assert.Single(fixture.Temporal.Signals, s => s.WorkflowId == orderId).Request.Reason);
    }

    [Theory]
    [InlineData(OrderStatus.Confirming)]
    [InlineData(OrderStatus.Confirmed)]
    [InlineData(OrderStatus.Failed)]
    [InlineData(OrderStatus.Cancelled)]
    public async Task CancelOrder_NoLongerCancellable_Returns409WithoutSignalling(OrderStatus status)
    {
        var orderId = await PlaceAsync();
        fixture.Temporal.SetProgress(orderId, status, canCancel: false);

        using var response = await Client.SendAsync(Cancel(orderId), Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("urn:serverless:problem:order-not-cancellable", problem.GetProperty("type").GetString());
        Assert.Contains(status.ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Temporal.Signals, s => s.WorkflowId == orderId);
    }

    [Fact]
    public async Task CancelOrder_Twice_SecondIsRefusedWith409()
    {
        var orderId = await PlaceAsync();

        using var first = await Client.SendAsync(Cancel(orderId), Ct);
        using var second = await Client.SendAsync(Cancel(orderId), Ct);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await ProblemAsync(second, HttpStatusCode.Conflict);
        Assert.Single(fixture.Temporal.Signals, s => s.WorkflowId == orderId);
    }

    [Fact]
    public async Task CancelOrder_UnknownOrder_Returns404WithoutSignalling()
    {
        var orderId = OrderStarter.OrderIdFor(NewKey());

        using var response = await Client.SendAsync(Cancel(orderId), Ct);

        await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.DoesNotContain(fixture.Temporal.Signals, s => s.WorkflowId == orderId);
    }

    private async Task<string> PlaceAsync()
    {
        using var placed = await Client.SendAsync(PlaceOrder(NewKey()), Ct);
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        return (await JsonAsync(placed)).GetProperty("orderId").GetString()!;
    }
}

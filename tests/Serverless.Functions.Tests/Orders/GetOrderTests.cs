using System.Net;
using Serverless.Orders.Contracts;
using Serverless.Orders.ReadModel;
using Serverless.Orders.Workflows;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Orders;

public sealed class GetOrderTests(RecordedFunctionsFixture fixture) : IClassFixture<RecordedFunctionsFixture>
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task GetOrder_KnownToTheReadModel_ReturnsItsViewWithoutAskingTheWorkflow()
    {
        var orderId = OrderStarter.OrderIdFor(NewKey());
        fixture.ReadModel.Put(new OrderView(
            orderId, "cust-1", OrderStatus.Confirmed, 25m, "EUR", null,
            [new OrderStep(OrderSteps.ConfirmReservation, StepOutcome.Succeeded, DateTime.UnixEpoch)], DateTimeOffset.UnixEpoch));
        var callsBefore = fixture.Temporal.Calls;

        using var response = await Client.GetAsync($"api/orders/{orderId}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await JsonAsync(response);
        Assert.Equal(orderId, view.GetProperty("orderId").GetString());
        Assert.Equal("Confirmed", view.GetProperty("status").GetString());
        Assert.Equal("ReadModel", view.GetProperty("source").GetString());
        Assert.Equal(OrderSteps.ConfirmReservation, view.GetProperty("steps")[0].GetProperty("name").GetString());
        Assert.Equal(callsBefore, fixture.Temporal.Calls);
    }

    [Fact]
    public async Task GetOrder_NotYetInTheReadModel_FallsBackToTheWorkflowQuery()
    {
        using var placed = await Client.SendAsync(PlaceOrder(NewKey()), Ct);
        var status = placed.Headers.Location!.OriginalString;

        using var response = await Client.GetAsync(status.TrimStart('/'), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await JsonAsync(response);
        Assert.Equal("Workflow", view.GetProperty("source").GetString());
        Assert.Equal("Received", view.GetProperty("status").GetString());
        Assert.True(view.GetProperty("canCancel").GetBoolean());
    }

    [Fact]
    public async Task GetOrder_ReadModelFailing_FallsBackToTheWorkflowQuery()
    {
        var failing = new Doubles.InMemoryOrderReadModel { Failure = new TimeoutException("redis and postgres are down") };
        var temporal = new Doubles.RecordingTemporal();
        await using var host = await FunctionsHost.StartAsync(temporal, failing);
        using var placed = await host.Client.SendAsync(PlaceOrder(NewKey()), Ct);

        using var response = await host.Client.GetAsync(placed.Headers.Location!.OriginalString.TrimStart('/'), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Workflow", (await JsonAsync(response)).GetProperty("source").GetString());
    }

    [Fact]
    public async Task GetOrder_IdNobodyKnows_Returns404()
    {
        var orderId = OrderStarter.OrderIdFor(NewKey());

        using var response = await Client.GetAsync($"api/orders/{orderId}", Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("urn:serverless:problem:order-not-found", problem.GetProperty("type").GetString());
        Assert.Contains(orderId, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetOrder_MalformedId_Returns404WithoutAskingTemporal()
    {
        var callsBefore = fixture.Temporal.Calls;

        using var response = await Client.GetAsync("api/orders/ord-NOT-AN-ID", Ct);

        await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(callsBefore, fixture.Temporal.Calls);
    }

    [Theory]
    [InlineData("DELETE", "api/orders/ord-000000000000000000000000", "GET")]
    [InlineData("GET", "api/orders", "POST")]
    public async Task Request_WrongMethod_Returns405WithAllowAndProblem(string method, string path, string allowed)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal([allowed], response.Content.Headers.Allow);
    }
}

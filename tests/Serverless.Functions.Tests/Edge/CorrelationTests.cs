using System.Net;
using Serverless.Orders.Workflows;
using Serverless.Platform.Correlation;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Edge;

/// <summary>The correlation id enters at HTTP (or is made there), comes back in the response and travels into Temporal's headers.</summary>
public sealed class CorrelationTests(RecordedFunctionsFixture fixture) : IClassFixture<RecordedFunctionsFixture>
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task PlaceOrder_WithCorrelationId_ReturnsItAndPassesItIntoTheWorkflowStart()
    {
        var key = NewKey();
        using var request = PlaceOrder(key);
        request.Headers.Add(CorrelationId.HttpHeader, "order-flow-42");

        using var response = await Client.SendAsync(request, Ct);

        Assert.Equal("order-flow-42", Header(response, CorrelationId.HttpHeader));
        Assert.Equal("order-flow-42", fixture.Temporal.Starts.Single(s => s.WorkflowId == OrderStarter.OrderIdFor(key)).CorrelationId);
    }

    [Fact]
    public async Task PlaceOrder_WithTraceParentOnly_UsesItsTraceId()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var key = NewKey();

        // Sent over a plain socket: an HttpClient in this process would have its traceparent replaced
        // by the OpenTelemetry instrumentation the functions host registers.
        var response = await RawHttp.SendAsync(
            fixture.Host.Address,
            $"POST /api/orders HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: {fixture.Host.ApiKey}\r\nIdempotency-Key: {key}\r\n" +
            $"traceparent: 00-{traceId}-00f067aa0ba902b7-01\r\nContent-Type: application/json\r\nContent-Length: {ValidOrder.Length}\r\n" +
            $"Connection: close\r\n\r\n{ValidOrder}");

        Assert.StartsWith("HTTP/1.1 202", response, StringComparison.Ordinal);
        Assert.Contains($"{CorrelationId.HttpHeader}: {traceId}", response, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(traceId, fixture.Temporal.Starts.Single(s => s.WorkflowId == OrderStarter.OrderIdFor(key)).CorrelationId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("has spaces in it")]
    [InlineData("control\tcharacter")]
    [InlineData("a-correlation-id-longer-than-one-hundred-and-twenty-eight-characters-is-refused-because-it-ends-up-in-every-log-line-and-header-x")]
    public async Task PlaceOrder_WithoutAnAcceptableId_CreatesOneAndPassesIt(string? inbound)
    {
        var key = NewKey();
        using var request = PlaceOrder(key);
        if (inbound is not null)
        {
            request.Headers.TryAddWithoutValidation(CorrelationId.HttpHeader, inbound);
        }

        using var response = await Client.SendAsync(request, Ct);

        var created = Header(response, CorrelationId.HttpHeader);
        Assert.Matches("^[0-9a-f]{32}$", created);
        Assert.Equal(created, fixture.Temporal.Starts.Single(s => s.WorkflowId == OrderStarter.OrderIdFor(key)).CorrelationId);
    }

    [Fact]
    public async Task CancelOrder_WithCorrelationId_PassesItIntoTheSignal()
    {
        using var placed = await Client.SendAsync(PlaceOrder(NewKey()), Ct);
        var orderId = (await JsonAsync(placed)).GetProperty("orderId").GetString()!;
        using var request = Cancel(orderId);
        request.Headers.Add(CorrelationId.HttpHeader, "cancel-flow-7");

        using var response = await Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("cancel-flow-7", fixture.Temporal.Signals.Single(s => s.WorkflowId == orderId).CorrelationId);
    }

    [Fact]
    public async Task Problems_FromFunctionsAndFromTheEdge_CarryTheCorrelationId()
    {
        using var invalid = PlaceOrder(NewKey(), "{}");
        invalid.Headers.Add(CorrelationId.HttpHeader, "bad-body-1");
        using var unauthorized = PlaceOrder(NewKey());
        unauthorized.Headers.Add(CorrelationId.HttpHeader, "no-key-1");

        using var invalidResponse = await Client.SendAsync(invalid, Ct);
        using var unauthorizedResponse = await fixture.Host.Anonymous.SendAsync(unauthorized, Ct);

        Assert.Equal("bad-body-1", (await ProblemAsync(invalidResponse, HttpStatusCode.BadRequest)).GetProperty("correlationId").GetString());
        Assert.Equal("no-key-1", (await ProblemAsync(unauthorizedResponse, HttpStatusCode.Unauthorized)).GetProperty("correlationId").GetString());
        Assert.Equal("no-key-1", Header(unauthorizedResponse, CorrelationId.HttpHeader));
    }
}

using System.Net;
using Serverless.Functions.Orders;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Orders;

public sealed class PlaceOrderTests(RecordedFunctionsFixture fixture) : IClassFixture<RecordedFunctionsFixture>
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task PlaceOrder_ValidOrder_Returns202WithLocationAndStartsTheWorkflow()
    {
        var key = NewKey();
        var orderId = OrderStarter.OrderIdFor(key);

        using var response = await Client.SendAsync(PlaceOrder(key), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/orders/{orderId}", response.Headers.Location?.OriginalString);
        Assert.Equal(key, Header(response, IdempotencyKeyHeader.Name));
        var body = await JsonAsync(response);
        Assert.Equal(orderId, body.GetProperty("orderId").GetString());
        Assert.Equal($"/api/orders/{orderId}", body.GetProperty("statusUrl").GetString());
        Assert.Equal($"/api/orders/{orderId}/cancel", body.GetProperty("cancelUrl").GetString());
        Assert.Equal(key, body.GetProperty("idempotencyKey").GetString());
        var start = Assert.Single(fixture.Temporal.Starts, s => s.WorkflowId == orderId);
        Assert.Equal((OrderWorkflow.Name, "dev-orders"), (start.WorkflowType, start.TaskQueue));
        Assert.Equal(new OrderInput(orderId, "cust-1", start.Input.Lines, "EUR", "tok_visa"), start.Input);
        Assert.Equal([new OrderLine("SKU-1", 2, 12.5m)], start.Input.Lines);
        Assert.Equal(OrderStarter.RequestFingerprint(start.Input), start.Fingerprint);
    }

    [Fact]
    public async Task PlaceOrder_WithoutIdempotencyKey_GeneratesOneAndReturnsIt()
    {
        using var response = await Client.SendAsync(PlaceOrder(idempotencyKey: null), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var key = Header(response, IdempotencyKeyHeader.Name);
        Assert.True(Guid.TryParse(key, out _), $"generated key '{key}' is a UUID");
        var orderId = (await JsonAsync(response)).GetProperty("orderId").GetString();
        Assert.Equal(OrderStarter.OrderIdFor(key), orderId);
        Assert.Single(fixture.Temporal.Starts, s => s.WorkflowId == orderId);
    }

    public static TheoryData<string, string, string, HttpStatusCode> Refusals => new()
    {
        { "invalid field", ValidOrder.Replace("EUR", "eur", StringComparison.Ordinal), "application/json", HttpStatusCode.BadRequest },
        { "malformed JSON", "{", "application/json", HttpStatusCode.BadRequest },
        { "JSON in UTF-16", ValidOrder, "application/json; charset=utf-16", HttpStatusCode.UnsupportedMediaType },
        { "too large", ValidOrder[..^1] + new string(' ', 70_000) + "}", "application/json", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task PlaceOrder_RefusedWithoutKey_ReturnsTheGeneratedKeyInHeaderAndProblem(string name, string body, string contentType, HttpStatusCode status)
    {
        using var response = await Client.SendAsync(PlaceOrder(idempotencyKey: null, body, contentType), Ct);

        var problem = await ProblemAsync(response, status);
        var key = Header(response, IdempotencyKeyHeader.Name);
        Assert.True(Guid.TryParse(key, out _), $"{name}: generated key '{key}' is returned");
        Assert.Equal(key, problem.GetProperty(IdempotencyKeyHeader.ProblemExtension).GetString());
    }

    [Fact]
    public async Task PlaceOrder_RefusedWithClientKey_ReturnsThatKey()
    {
        var key = NewKey();

        using var response = await Client.SendAsync(PlaceOrder(key, "{}"), Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(key, Header(response, IdempotencyKeyHeader.Name));
        Assert.Equal(key, problem.GetProperty(IdempotencyKeyHeader.ProblemExtension).GetString());
    }

    [Fact]
    public async Task PlaceOrder_SameKeyDifferentBody_422CarriesTheKey()
    {
        var key = NewKey();
        using var first = await Client.SendAsync(PlaceOrder(key), Ct);

        using var reuse = await Client.SendAsync(PlaceOrder(key, ValidOrder.Replace("cust-1", "cust-2", StringComparison.Ordinal)), Ct);

        var problem = await ProblemAsync(reuse, HttpStatusCode.UnprocessableEntity);
        Assert.Equal((key, key), (Header(reuse, IdempotencyKeyHeader.Name), problem.GetProperty(IdempotencyKeyHeader.ProblemExtension).GetString()));
    }

    [Fact]
    public async Task PlaceOrder_SameKeySameBody_ReturnsTheSameOrderWithoutASecondWorkflow()
    {
        var key = NewKey();

        using var first = await Client.SendAsync(PlaceOrder(key), Ct);
        using var retry = await Client.SendAsync(PlaceOrder(key), Ct);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, retry.StatusCode));
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal((await JsonAsync(first)).GetProperty("orderId").GetString(), (await JsonAsync(retry)).GetProperty("orderId").GetString());
        Assert.Equal((string.Empty, "true"), (Header(first, IdempotencyKeyHeader.ReplayedHeader), Header(retry, IdempotencyKeyHeader.ReplayedHeader)));
        Assert.Single(fixture.Temporal.Starts, s => s.WorkflowId == OrderStarter.OrderIdFor(key));
    }

    [Fact]
    public async Task PlaceOrder_SameKeyEquivalentBody_IsAReplay()
    {
        var key = NewKey();
        const string respelled = """
            {
              "paymentToken": "tok_visa", "currency": "EUR",
              "lines": [ { "unitPrice": 12.50, "quantity": 2, "sku": "SKU-1" } ],
              "customerId": "cust-1"
            }
            """;

        using var first = await Client.SendAsync(PlaceOrder(key), Ct);
        using var retry = await Client.SendAsync(PlaceOrder(key, respelled), Ct);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal("true", Header(retry, IdempotencyKeyHeader.ReplayedHeader));
        Assert.Single(fixture.Temporal.Starts, s => s.WorkflowId == OrderStarter.OrderIdFor(key));
    }

    [Fact]
    public async Task PlaceOrder_SameKeyDifferentBody_Returns422AndKeepsTheFirstOrder()
    {
        var key = NewKey();
        var orderId = OrderStarter.OrderIdFor(key);
        var otherQuantity = ValidOrder.Replace("\"quantity\":2", "\"quantity\":3", StringComparison.Ordinal);

        using var first = await Client.SendAsync(PlaceOrder(key), Ct);
        using var reuse = await Client.SendAsync(PlaceOrder(key, otherQuantity), Ct);

        var problem = await ProblemAsync(reuse, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("urn:serverless:problem:idempotency-key-reused", problem.GetProperty("type").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(key, detail, StringComparison.Ordinal);
        Assert.Contains(orderId, detail, StringComparison.Ordinal);
        var start = Assert.Single(fixture.Temporal.Starts, s => s.WorkflowId == orderId);
        Assert.Equal(2, start.Input.Lines.Single().Quantity);
    }

    [Fact]
    public async Task PlaceOrder_ConcurrentRetriesOfOneKey_StartOneWorkflowAndAnswerAllWithIt()
    {
        var key = NewKey();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Client.SendAsync(PlaceOrder(key), Ct)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location!.OriginalString).Distinct());
        Assert.Single(fixture.Temporal.Starts, s => s.WorkflowId == OrderStarter.OrderIdFor(key));
        Assert.Single(responses, r => Header(r, IdempotencyKeyHeader.ReplayedHeader) != "true");
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task PlaceOrder_KeyAsStructuredFieldString_IsTheSameKeyAsBare()
    {
        var key = NewKey();

        using var quoted = await Client.SendAsync(PlaceOrder($"\"{key}\""), Ct);
        using var bare = await Client.SendAsync(PlaceOrder(key), Ct);

        Assert.Equal(HttpStatusCode.Accepted, quoted.StatusCode);
        Assert.Equal($"/api/orders/{OrderStarter.OrderIdFor(key)}", quoted.Headers.Location?.OriginalString);
        Assert.Equal("true", Header(bare, IdempotencyKeyHeader.ReplayedHeader));
    }

    [Fact]
    public async Task PlaceOrder_CharsetAndJsonSuffixMediaTypes_AreAccepted()
    {
        using var charset = await Client.SendAsync(PlaceOrder(NewKey(), contentType: "application/json; charset=UTF-8"), Ct);
        using var suffix = await Client.SendAsync(PlaceOrder(NewKey(), contentType: "application/vnd.orders+json"), Ct);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (charset.StatusCode, suffix.StatusCode));
    }

    [Fact]
    public async Task PlaceOrder_LargestAllowedOrder_IsAccepted()
    {
        var lines = string.Join(",", Enumerable.Range(0, OrderRequests.MaxLines)
            .Select(i => $$"""{"sku":"SKU-{{i}}","quantity":{{OrderRequests.MaxQuantity}},"unitPrice":1000000}"""));
        var body = $$"""{"customerId":"{{new string('c', 64)}}","lines":[{{lines}}],"currency":"EUR","paymentToken":"{{new string('t', 256)}}"}""";

        using var response = await Client.SendAsync(PlaceOrder(NewKey(), body), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var start = fixture.Temporal.Starts.Single(s => s.WorkflowId == (response.Headers.Location!.OriginalString.Split('/')[^1]));
        Assert.Equal(OrderRequests.MaxLines * OrderRequests.MaxQuantity * OrderRequests.MaxUnitPrice, start.Input.TotalAmount());
    }
}

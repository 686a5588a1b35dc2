using System.Net;
using System.Text;
using Serverless.Functions.Orders;
using Serverless.Orders.Workflows;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Orders;

/// <summary>
/// Every way a client can get a request wrong gets the right 4xx problem response, and none of
/// them reaches Temporal: the recorder behind the client counts zero calls (so zero starts and
/// zero signals) after each one.
/// </summary>
public sealed class MalformedRequestTests(RecordedFunctionsFixture fixture) : IClassFixture<RecordedFunctionsFixture>
{
    private const int Limit = 64 * 1024;
    private static readonly string KnownShapeId = OrderStarter.OrderIdFor("malformed-table");

    /// <summary>A request that must be refused: status, and for 400s the field the problem must name.</summary>
    public sealed record Case(
        HttpMethod Method,
        string Path,
        byte[]? Body,
        string? ContentType,
        HttpStatusCode Status,
        string? Field = null,
        IReadOnlyList<(string Name, string Value)>? Headers = null,
        bool Chunked = false,
        bool WithoutApiKey = false,
        string? ApiKey = null);

    private static readonly Dictionary<string, Case> Table = new(StringComparer.Ordinal)
    {
        // Syntax
        ["empty body"] = Order(string.Empty, "body"),
        ["truncated JSON"] = Order("""{"customerId":"cust-1","lines":[""", "body"),
        ["not JSON at all"] = Order("customerId=cust-1", "body"),
        ["array instead of object"] = Order("""[{"customerId":"cust-1"}]""", "body"),
        ["string instead of object"] = Order("\"an order\"", "body"),
        ["null body"] = Order("null", "body"),
        ["NaN literal"] = Order(Valid(price: "NaN"), "body"),
        ["trailing comma"] = Order(Valid() [..^1] + ",}", "body"),
        ["comment"] = Order("/* order */" + Valid(), "body"),
        ["duplicate field"] = Order(Valid()[..^1] + ""","currency":"USD"}""", "body"),
        ["nesting deeper than 16"] = Order(Valid()[..^1] + ",\"x\":" + new string('[', 40) + new string(']', 40) + "}", "body"),
        ["invalid UTF-8 in a string"] = new(HttpMethod.Post, OrderLinks.Orders, [.. "{\"customerId\":\""u8, 0xC3, 0x28, .. "\"}"u8], "application/json", HttpStatusCode.BadRequest, "customerId"),

        // Shape and fields
        ["empty object"] = Order("{}", "customerId"),
        ["unknown top-level field"] = Order(Valid()[..^1] + ""","discount":10}""", "discount"),
        ["field name in wrong case"] = Order(Valid().Replace("\"customerId\"", "\"CustomerId\"", StringComparison.Ordinal), "CustomerId"),
        ["customerId a number"] = Order(Valid(customer: "42"), "customerId"),
        ["customerId empty"] = Order(Valid(customer: "\"\""), "customerId"),
        ["customerId too long"] = Order(Valid(customer: $"\"{new string('c', 65)}\""), "customerId"),
        ["customerId with a space"] = Order(Valid(customer: "\"cust 1\""), "customerId"),
        ["customerId with a trailing newline"] = Order(Valid(customer: "\"cust-1\\n\""), "customerId"),
        ["customerId with a zero-width space"] = Order(Valid(customer: "\"cust\\u200B1\""), "customerId"),
        ["customerId with a right-to-left override"] = Order(Valid(customer: "\"\\u202Ecust1\""), "customerId"),
        ["customerId with a Cyrillic look-alike"] = Order(Valid(customer: "\"\u0441ust-1\""), "customerId"),
        ["customerId with a NUL"] = Order(Valid(customer: "\"cust\\u00001\""), "customerId"),
        ["customerId a lone surrogate"] = Order(Valid(customer: "\"\\uD800\""), "customerId"),
        ["currency lower case"] = Order(Valid(currency: "\"eur\""), "currency"),
        ["currency full-width letters"] = Order(Valid(currency: "\"\uFF25\uFF35\uFF32\""), "currency"),
        ["currency four letters"] = Order(Valid(currency: "\"EURO\""), "currency"),
        ["currency null"] = Order(Valid(currency: "null"), "currency"),
        ["paymentToken with a space"] = Order(Valid(token: "\"tok visa\""), "paymentToken"),
        ["paymentToken too long"] = Order(Valid(token: $"\"{new string('t', 257)}\""), "paymentToken"),
        ["paymentToken an object"] = Order(Valid(token: "{\"id\":\"tok\"}"), "paymentToken"),
        ["lines an object"] = Order(Valid(lines: Line()), "lines"),
        ["lines empty"] = Order(Valid(lines: "[]"), "lines"),
        ["more than 100 lines"] = Order(Valid(lines: "[" + string.Join(",", Enumerable.Range(0, 101).Select(i => Line(sku: $"\"S{i}\""))) + "]"), "lines"),
        ["line a number"] = Order(Valid(lines: "[7]"), "lines[0]"),
        ["sku missing"] = Order(Valid(lines: """[{"quantity":1,"unitPrice":1}]"""), "lines[0].sku"),
        ["same sku on two lines"] = Order(Valid(lines: $"[{Line()},{Line()}]"), "lines[1].sku"),
        ["unknown field in a line"] = Order(Valid(lines: """[{"sku":"S","qty":1,"unitPrice":1}]"""), "lines[0].qty"),
        ["quantity zero"] = Order(Valid(lines: $"[{Line(quantity: "0")}]"), "lines[0].quantity"),
        ["quantity negative"] = Order(Valid(lines: $"[{Line(quantity: "-3")}]"), "lines[0].quantity"),
        ["quantity fractional"] = Order(Valid(lines: $"[{Line(quantity: "2.5")}]"), "lines[0].quantity"),
        ["quantity as a string"] = Order(Valid(lines: $"[{Line(quantity: "\"2\"")}]"), "lines[0].quantity"),
        ["quantity above the maximum"] = Order(Valid(lines: $"[{Line(quantity: "10001")}]"), "lines[0].quantity"),
        ["quantity beyond Int32"] = Order(Valid(lines: $"[{Line(quantity: "99999999999999999999")}]"), "lines[0].quantity"),
        ["quantity beyond double"] = Order(Valid(lines: $"[{Line(quantity: "1e400")}]"), "lines[0].quantity"),
        ["quantity a boolean"] = Order(Valid(lines: $"[{Line(quantity: "true")}]"), "lines[0].quantity"),
        ["unitPrice negative"] = Order(Valid(lines: $"[{Line(price: "-12.5")}]"), "lines[0].unitPrice"),
        ["unitPrice zero"] = Order(Valid(lines: $"[{Line(price: "0")}]"), "lines[0].unitPrice"),
        ["unitPrice with five decimals"] = Order(Valid(lines: $"[{Line(price: "12.12345")}]"), "lines[0].unitPrice"),
        ["unitPrice huge"] = Order(Valid(lines: $"[{Line(price: "1e30")}]"), "lines[0].unitPrice"),
        ["unitPrice beyond decimal"] = Order(Valid(lines: $"[{Line(price: "1e400")}]"), "lines[0].unitPrice"),
        ["unitPrice as a string"] = Order(Valid(lines: $"[{Line(price: "\"12.50\"")}]"), "lines[0].unitPrice"),

        // Media type and size
        ["text/plain"] = Order(Valid(), contentType: "text/plain", status: HttpStatusCode.UnsupportedMediaType),
        ["no content type"] = Order(Valid(), contentType: null, status: HttpStatusCode.UnsupportedMediaType),
        ["application/xml"] = Order("<order/>", contentType: "application/xml", status: HttpStatusCode.UnsupportedMediaType),
        ["form encoded"] = Order("customerId=cust-1", contentType: "application/x-www-form-urlencoded", status: HttpStatusCode.UnsupportedMediaType),
        ["JSON in UTF-16"] = new(HttpMethod.Post, OrderLinks.Orders, Encoding.Unicode.GetBytes(Valid()), "application/json; charset=utf-16", HttpStatusCode.UnsupportedMediaType),
        ["body one byte over the limit"] = Order(Padded(Limit + 1), status: HttpStatusCode.RequestEntityTooLarge),
        ["oversize body without Content-Length"] = Order(Padded(Limit + 1), status: HttpStatusCode.RequestEntityTooLarge) with { Chunked = true },
        ["huge body"] = Order(Padded(4 * 1024 * 1024), status: HttpStatusCode.RequestEntityTooLarge),

        // Headers and authentication
        ["Idempotency-Key empty"] = Order(Valid(), IdempotencyKeyHeader.Name) with { Headers = [(IdempotencyKeyHeader.Name, string.Empty)] },
        ["Idempotency-Key too long"] = Order(Valid(), IdempotencyKeyHeader.Name) with { Headers = [(IdempotencyKeyHeader.Name, new string('k', 256))] },
        ["Idempotency-Key with a space"] = Order(Valid(), IdempotencyKeyHeader.Name) with { Headers = [(IdempotencyKeyHeader.Name, "two words")] },
        ["Idempotency-Key twice"] = Order(Valid(), IdempotencyKeyHeader.Name) with { Headers = [(IdempotencyKeyHeader.Name, "a"), (IdempotencyKeyHeader.Name, "b")] },
        ["no API key"] = Order(Valid(), status: HttpStatusCode.Unauthorized) with { WithoutApiKey = true },
        ["wrong API key"] = Order(Valid(), status: HttpStatusCode.Unauthorized) with { ApiKey = FunctionsHost.NewKey() },
        ["API key of the wrong length"] = Order(Valid(), status: HttpStatusCode.Unauthorized) with { ApiKey = "short" },
        ["API key on a status read"] = new(HttpMethod.Get, $"api/orders/{KnownShapeId}", null, null, HttpStatusCode.Unauthorized) { WithoutApiKey = true },

        // Routes and methods
        ["PUT on orders"] = new(HttpMethod.Put, OrderLinks.Orders, Encoding.UTF8.GetBytes(Valid()), "application/json", HttpStatusCode.MethodNotAllowed),
        ["DELETE on an order"] = new(HttpMethod.Delete, $"api/orders/{KnownShapeId}", null, null, HttpStatusCode.MethodNotAllowed),
        ["GET on cancel"] = new(HttpMethod.Get, $"api/orders/{KnownShapeId}/cancel", null, null, HttpStatusCode.MethodNotAllowed),
        ["malformed order id"] = new(HttpMethod.Get, "api/orders/12345", null, null, HttpStatusCode.NotFound),
        ["order id in upper case"] = new(HttpMethod.Get, $"api/orders/{KnownShapeId.ToUpperInvariant()}", null, null, HttpStatusCode.NotFound),
        ["unknown route"] = new(HttpMethod.Get, "api/invoices", null, null, HttpStatusCode.NotFound),

        // Cancellation bodies
        ["cancel with a malformed id"] = Cancellation("api/orders/ord-x/cancel", "{}", HttpStatusCode.NotFound),
        ["cancel reason too long"] = Cancellation(body: $$"""{"reason":"{{new string('r', OrderRequests.MaxReasonLength + 1)}}"}""", field: "reason"),
        ["cancel reason a number"] = Cancellation(body: """{"reason":5}""", field: "reason"),
        ["cancel reason with a control character"] = Cancellation(body: """{"reason":"no\u0007"}""", field: "reason"),
        ["cancel reason with a right-to-left override"] = Cancellation(body: """{"reason":"refund \u202Eetad\u202C"}""", field: "reason"),
        ["cancel reason with a zero-width space"] = Cancellation(body: """{"reason":"chan\u200Bged"}""", field: "reason"),
        ["cancel reason with a byte order mark"] = Cancellation(body: """{"reason":"\uFEFFchanged"}""", field: "reason"),
        ["cancel reason with a soft hyphen"] = Cancellation(body: """{"reason":"chan\u00ADged"}""", field: "reason"),
        ["cancel reason with a raw bidi isolate"] = Cancellation(body: "{\"reason\":\"a\u2067b\"}", field: "reason"),
        ["cancel reason with a line separator"] = Cancellation(body: """{"reason":"one\u2028two"}""", field: "reason"),
        ["cancel body an array"] = Cancellation(body: "[]", field: "body"),
        ["cancel with an unknown field"] = Cancellation(body: """{"why":"x"}""", field: "why"),
        ["cancel as text/plain"] = Cancellation(body: "please cancel", contentType: "text/plain", status: HttpStatusCode.UnsupportedMediaType),
        ["cancel body over the limit"] = Cancellation(body: Padded(Limit + 1), status: HttpStatusCode.RequestEntityTooLarge),
    };

    public static TheoryData<string> Cases => new(Table.Keys);

    [Fact]
    public void Table_HasAtLeastFortyCases() => Assert.True(Table.Count >= 40, $"{Table.Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Request_Malformed_GetsTheRight4xxProblemAndReachesNoWorkflow(string name)
    {
        using var response = await SendAsync(fixture.Host, name);

        await AssertRefusedAsync(response, name);
        Assert.Equal(0, fixture.Temporal.Calls);
        Assert.Empty(fixture.Temporal.Starts);
        Assert.Empty(fixture.Temporal.Signals);
    }

    /// <summary>Sends the malformed request <paramref name="name"/> of the table to <paramref name="host"/>.</summary>
    internal static async Task<HttpResponseMessage> SendAsync(FunctionsHost host, string name)
    {
        var @case = Table[name];
        var client = @case.WithoutApiKey ? host.Anonymous : @case.ApiKey is { } key ? host.NewClient(key) : host.Client;
        using var request = new HttpRequestMessage(@case.Method, @case.Path);
        if (@case.Body is not null)
        {
            request.Content = @case.Chunked ? new StreamContent(new MemoryStream(@case.Body)) : new ByteArrayContent(@case.Body);
            if (@case.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", @case.ContentType);
            }
        }

        foreach (var (header, value) in @case.Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        return await client.SendAsync(request, Ct);
    }

    /// <summary>Asserts the problem response case <paramref name="name"/> must get (status, and the field a 400 names).</summary>
    internal static async Task AssertRefusedAsync(HttpResponseMessage response, string name)
    {
        var @case = Table[name];
        var problem = await ProblemAsync(response, @case.Status);
        if (@case.Field is { } field)
        {
            Assert.True(
                problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
                $"the problem names '{field}': {problem}");
        }
    }

    private static Case Order(string body, string? field = null, string? contentType = "application/json", HttpStatusCode status = HttpStatusCode.BadRequest) =>
        new(HttpMethod.Post, OrderLinks.Orders, Encoding.UTF8.GetBytes(body), contentType, status, field);

    private static Case Cancellation(
        string path = "", string body = "{}", HttpStatusCode status = HttpStatusCode.BadRequest, string? field = null, string contentType = "application/json") =>
        new(HttpMethod.Post, path.Length > 0 ? path : $"api/orders/{KnownShapeId}/cancel", Encoding.UTF8.GetBytes(body), contentType, status, field);

    private static string Valid(string customer = "\"cust-1\"", string? lines = null, string currency = "\"EUR\"", string token = "\"tok_visa\"", string? price = null) =>
        $$"""{"customerId":{{customer}},"lines":{{lines ?? $"[{Line(price: price ?? "12.5")}]"}},"currency":{{currency}},"paymentToken":{{token}}}""";

    private static string Line(string sku = "\"SKU-1\"", string quantity = "2", string price = "12.5") =>
        $$"""{"sku":{{sku}},"quantity":{{quantity}},"unitPrice":{{price}}}""";

    /// <summary>A valid order padded with insignificant whitespace to <paramref name="size"/> bytes.</summary>
    private static string Padded(int size)
    {
        var valid = Valid();
        return valid[..^1] + new string(' ', size - valid.Length) + "}";
    }
}

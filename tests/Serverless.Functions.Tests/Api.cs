using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serverless.Functions.Http;
using Serverless.Functions.Orders;

namespace Serverless.Functions.Tests;

/// <summary>Requests and response checks shared by the functions tests.</summary>
internal static class Api
{
    public const string ValidOrder =
        """{"customerId":"cust-1","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":12.5}],"currency":"EUR","paymentToken":"tok_visa"}""";

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string NewKey() => $"key-{Guid.NewGuid():N}";

    public static HttpRequestMessage PlaceOrder(string? idempotencyKey, string body = ValidOrder, string? contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, OrderLinks.Orders) { Content = Body(body, contentType) };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader.Name, idempotencyKey);
        }

        return request;
    }

    public static HttpRequestMessage Cancel(string orderId, string? body = null, string? contentType = "application/json") =>
        new(HttpMethod.Post, OrderLinks.Cancel(orderId).TrimStart('/')) { Content = body is null ? null : Body(body, contentType) };

    public static ByteArrayContent Body(string body, string? contentType) => Body(Encoding.UTF8.GetBytes(body), contentType);

    public static ByteArrayContent Body(byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a problem response with <paramref name="status"/> and returns its body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(ProblemResults.ContentType, response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.True(
            ProblemResults.Types.IsOurs(problem.GetProperty("type").GetString()),
            $"the problem type is in the one vocabulary (urn:serverless:problem:*): {text}");
        return problem;
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    public static MediaTypeHeaderValue Json => new("application/json");
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Serverless.Functions.Orders;
using Serverless.Functions.SelfHost.Edge;

namespace Serverless.Functions.Bench;

/// <summary>
/// Before measuring, proves the target still keeps the idempotency contract with the benchmark's
/// Temporal double: the same key and body answer as a replay, the same key with another body 422.
/// </summary>
public static class DuplicateCheck
{
    /// <summary>What went wrong, or null when the contract holds.</summary>
    public static async Task<string?> FailureAsync(Uri target, string apiKey, string order)
    {
        using var http = new HttpClient { BaseAddress = target };
        var key = $"duplicate-check-{Guid.NewGuid():N}";
        using var first = await PlaceAsync(http, apiKey, key, order);
        using var again = await PlaceAsync(http, apiKey, key, order);
        using var other = await PlaceAsync(http, apiKey, key, order.Replace("cust-bench", "cust-other", StringComparison.Ordinal));

        if (first.StatusCode != HttpStatusCode.Accepted || first.Headers.Contains(IdempotencyKeyHeader.ReplayedHeader))
        {
            return $"a new key answered {(int)first.StatusCode}, not a fresh 202";
        }

        if (again.StatusCode != HttpStatusCode.Accepted || !again.Headers.TryGetValues(IdempotencyKeyHeader.ReplayedHeader, out var replayed) || !replayed.Contains("true"))
        {
            return $"a repeated key answered {(int)again.StatusCode} without {IdempotencyKeyHeader.ReplayedHeader}: true";
        }

        return other.StatusCode == HttpStatusCode.UnprocessableEntity
            ? null
            : $"a repeated key with another body answered {(int)other.StatusCode}, not 422";
    }

    private static Task<HttpResponseMessage> PlaceAsync(HttpClient http, string apiKey, string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/orders")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add(ApiKeyGate.HeaderName, apiKey);
        request.Headers.Add(IdempotencyKeyHeader.Name, key);
        return http.SendAsync(request);
    }
}

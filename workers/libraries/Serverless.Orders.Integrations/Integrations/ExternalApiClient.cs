using System.Net;
using System.Net.Http.Json;

namespace Serverless.Orders.Integrations;

/// <summary>
/// Shared mechanics of the typed clients: the idempotency header on every effectful call, and the
/// split between business rejections (returned) and transient faults (thrown).
/// </summary>
public abstract class ExternalApiClient(HttpClient http)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    protected HttpClient Http { get; } = http;

    protected async Task<ExternalCallResult<TResponse>> SendAsync<TResponse>(
        HttpMethod method,
        string path,
        object? body,
        string idempotencyKey,
        IReadOnlySet<HttpStatusCode> businessRejections,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(IdempotencyKeyHeader, idempotencyKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ExternalApiJson.Options);
        }

        using var response = await Http.SendAsync(request, cancellationToken);
        if (businessRejections.Contains(response.StatusCode))
        {
            var error = await response.Content.ReadFromJsonAsync<ApiErrorBody>(ExternalApiJson.Options, cancellationToken)
                ?? new ApiErrorBody("unknown", $"HTTP {(int)response.StatusCode} without an error body");
            return ExternalCallResult.Rejected<TResponse>(error);
        }

        // Anything else that is not a success (5xx, 408, 429, auth errors) is worth retrying later:
        // throwing lets the resilience handler and then Temporal's retry policy deal with it.
        response.EnsureSuccessStatusCode();
        var value = await response.Content.ReadFromJsonAsync<TResponse>(ExternalApiJson.Options, cancellationToken)
            ?? throw new HttpRequestException($"{method} {path} answered {(int)response.StatusCode} with an empty body");
        return ExternalCallResult.Success(value);
    }
}

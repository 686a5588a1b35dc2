using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Serverless.Platform.Correlation;

namespace Serverless.Functions.Http;

/// <summary>
/// RFC 9457 (formerly 7807) problem responses of the functions. Every problem has a stable
/// <c>type</c> a client can switch on, a <c>detail</c> a person can act on, and the correlation id
/// to quote to support.
/// </summary>
public static class ProblemResults
{
    public const string ContentType = "application/problem+json";
    public const string CorrelationIdExtension = "correlationId";

    public static class Types
    {
        private const string Prefix = "urn:serverless:problem:";
        public const string InvalidRequest = Prefix + "invalid-request";
        public const string UnsupportedMediaType = Prefix + "unsupported-media-type";
        public const string BodyTooLarge = Prefix + "body-too-large";
        public const string OrderNotFound = Prefix + "order-not-found";
        public const string IdempotencyKeyReused = Prefix + "idempotency-key-reused";
        public const string OrderNotCancellable = Prefix + "order-not-cancellable";
        public const string TemporarilyUnavailable = Prefix + "temporarily-unavailable";
        public const string Unauthorized = Prefix + "unauthorized";
        public const string RateLimited = Prefix + "rate-limited";
        public const string MalformedBody = Prefix + "malformed-body";
        public const string RequestTimeout = Prefix + "request-timeout";
        public const string BadRequest = Prefix + "bad-request";
        public const string NotFound = Prefix + "not-found";
        public const string MethodNotAllowed = Prefix + "method-not-allowed";
        public const string NotAcceptable = Prefix + "not-acceptable";
        public const string UriTooLong = Prefix + "uri-too-long";
        public const string HeadersTooLarge = Prefix + "headers-too-large";
        public const string InternalError = Prefix + "internal-error";

        /// <summary>
        /// The type of a problem the framework answers on its own (no route, wrong method, an
        /// exception), so every problem a client sees is in this one vocabulary.
        /// </summary>
        public static string ForStatus(int status) => status switch
        {
            StatusCodes.Status400BadRequest => BadRequest,
            StatusCodes.Status401Unauthorized => Unauthorized,
            StatusCodes.Status404NotFound => NotFound,
            StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
            StatusCodes.Status406NotAcceptable => NotAcceptable,
            StatusCodes.Status408RequestTimeout => RequestTimeout,
            StatusCodes.Status413PayloadTooLarge => BodyTooLarge,
            StatusCodes.Status414UriTooLong => UriTooLong,
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
            StatusCodes.Status429TooManyRequests => RateLimited,
            StatusCodes.Status431RequestHeaderFieldsTooLarge => HeadersTooLarge,
            StatusCodes.Status503ServiceUnavailable => TemporarilyUnavailable,
            < 500 => Prefix + "client-error",
            _ => InternalError,
        };

        public static bool IsOurs(string? type) => type?.StartsWith(Prefix, StringComparison.Ordinal) == true;
    }

    /// <summary><c>400</c> listing every invalid field (JSON path or header name) with what is wrong with it.</summary>
    public static ObjectResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        Create(
            new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
            {
                Type = Types.InvalidRequest,
                Title = "The request is invalid",
                Status = StatusCodes.Status400BadRequest,
                Detail = $"{errors.Count} field(s) are invalid; see 'errors'.",
            });

    public static ObjectResult Invalid(string field, string error) =>
        Invalid(new Dictionary<string, string[]> { [field] = [error] });

    public static ObjectResult UnsupportedMediaType(string? contentType) => Create(
        StatusCodes.Status415UnsupportedMediaType,
        Types.UnsupportedMediaType,
        "Unsupported content type",
        $"Send the body as 'application/json' (UTF-8); got '{contentType ?? "no Content-Type"}'.");

    public static ObjectResult BodyTooLarge(int limit) => Create(
        StatusCodes.Status413PayloadTooLarge,
        Types.BodyTooLarge,
        "Request body too large",
        $"The body must not exceed {limit.ToString(CultureInfo.InvariantCulture)} bytes.");

    /// <summary>
    /// The body could not be read as HTTP (Kestrel's <c>BadHttpRequestException</c>: broken chunked
    /// framing <c>400</c>, too slow <c>408</c>, over Kestrel's own size limit <c>413</c>).
    /// </summary>
    public static ObjectResult UnreadableBody(int status, string reason) => status switch
    {
        StatusCodes.Status408RequestTimeout => Create(status, Types.RequestTimeout, "Request body too slow", $"The body did not arrive in time: {reason}"),
        StatusCodes.Status413PayloadTooLarge => Create(status, Types.BodyTooLarge, "Request body too large", reason),
        _ => Create(StatusCodes.Status400BadRequest, Types.MalformedBody, "Malformed request body", $"The body is not valid HTTP framing: {reason}"),
    };

    public static ObjectResult OrderNotFound(string orderId) => Create(
        StatusCodes.Status404NotFound,
        Types.OrderNotFound,
        "Order not found",
        $"No order has the id '{orderId}'.");

    public static ObjectResult IdempotencyKeyReused(string key, string orderId) => Create(
        StatusCodes.Status422UnprocessableEntity,
        Types.IdempotencyKeyReused,
        "Idempotency-Key reused for a different order",
        $"The Idempotency-Key '{key}' was already used for order '{orderId}' with a different body. " +
        "Resend the original body to get that order back, or use a new key for a new order.");

    public static ObjectResult NotCancellable(string orderId, string status) => Create(
        StatusCodes.Status409Conflict,
        Types.OrderNotCancellable,
        "Order can no longer be cancelled",
        $"Order '{orderId}' is {status}: it can be cancelled only until its payment has been captured, once.");

    /// <summary><c>503</c> with <c>Retry-After</c>: nothing was done, retrying later (with the same idempotency key) is safe.</summary>
    public static ObjectResult TemporarilyUnavailable(HttpResponse response, TimeSpan retryAfter, string detail)
    {
        response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        return Create(StatusCodes.Status503ServiceUnavailable, Types.TemporarilyUnavailable, "Temporarily unavailable", detail);
    }

    /// <summary><paramref name="result"/> with <paramref name="name"/> added to its problem body; any other result unchanged.</summary>
    public static IActionResult WithExtension(IActionResult result, string name, string value)
    {
        if (result is ObjectResult { Value: ProblemDetails problem })
        {
            problem.Extensions[name] = value;
        }

        return result;
    }

    public static string RetryAfterSeconds(TimeSpan retryAfter) =>
        ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public static ObjectResult Create(int status, string type, string title, string detail) =>
        Create(new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail });

    private static ObjectResult Create(ProblemDetails problem)
    {
        if (CorrelationId.Current is { } correlationId)
        {
            problem.Extensions[CorrelationIdExtension] = correlationId;
        }

        var result = new ObjectResult(problem) { StatusCode = problem.Status };
        result.ContentTypes.Add(ContentType);
        return result;
    }
}

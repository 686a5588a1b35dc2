using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Serverless.Functions.Http;

namespace Serverless.Functions.SelfHost.Edge;

/// <summary>Endpoint metadata: the endpoint is served only with a valid API key, within its client's rate limit.</summary>
public sealed class ApiKeyRequired
{
    public static readonly ApiKeyRequired Instance = new();

    private ApiKeyRequired()
    {
    }
}

/// <summary>
/// The self-host's stand-in for Functions keys and the host's throttling, for endpoints marked
/// <see cref="ApiKeyRequired"/>: without one configured key in <see cref="HeaderName"/>, <c>401</c>
/// with a challenge and a problem body; past the key's client's token bucket, <c>429</c> with
/// <c>Retry-After</c>. One middleware instead of the authentication, authorization and rate-limiting
/// stacks: for one header check those built a handler, a principal and a policy evaluation per
/// request, a tenth of a placement's CPU (issue 12), and gave nothing an API key uses.
/// </summary>
public sealed partial class ApiKeyGate(RequestDelegate next, ApiKeyRing keys, ApiKeyRateLimits limits, ILogger<ApiKeyGate> logger)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequired>() is null)
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[HeaderName];
        if (presented.Count != 1 || keys.FindClient(presented[0]) is not { } client)
        {
            context.Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
            await EdgeProblems.WriteAsync(
                context,
                StatusCodes.Status401Unauthorized,
                ProblemResults.Types.Unauthorized,
                "API key required",
                $"Send a valid API key in the {HeaderName} header.");
            return;
        }

        using var lease = limits.Acquire(client);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
            context.Response.Headers.RetryAfter = ProblemResults.RetryAfterSeconds(retryAfter);
            LogRateLimited(client);
            await EdgeProblems.WriteAsync(
                context,
                StatusCodes.Status429TooManyRequests,
                ProblemResults.Types.RateLimited,
                "Too many requests",
                $"This API key's request rate is limited; retry after {ProblemResults.RetryAfterSeconds(retryAfter)} s.");
            return;
        }

        await next(context);
    }

    [LoggerMessage(3300, LogLevel.Warning, "Rate limit reached for client {Client}")]
    private partial void LogRateLimited(string client);
}

/// <summary>One token bucket per API key client (<see cref="SelfHostOptions.RateLimit"/>); none when the limit is off.</summary>
public sealed class ApiKeyRateLimits(IOptions<SelfHostOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = Create(options.Value.RateLimit);

    public RateLimitLease Acquire(string client) => limiter.AttemptAcquire(client);

    public void Dispose() => limiter.Dispose();

    private static PartitionedRateLimiter<string> Create(ApiKeyRateLimit limit) =>
        PartitionedRateLimiter.Create<string, string>(client => limit.Enabled
            ? RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limit.BucketSize,
                TokensPerPeriod = limit.PermitsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter(client));
}

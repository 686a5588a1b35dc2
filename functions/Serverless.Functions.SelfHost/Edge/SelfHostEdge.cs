using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Serverless.Functions.Http;
using Serverless.Platform.Configuration;
using Serverless.Platform.Correlation;

namespace Serverless.Functions.SelfHost.Edge;

/// <summary>
/// What the Functions host does around a function and Kestrel does not: key checks, rate limits,
/// problem details for everything answered outside a function (401, 404, 405, 429, 500), result
/// execution of <c>IActionResult</c>, and the OpenAPI description.
/// </summary>
public static partial class SelfHostEdge
{
    public const string ApiKeyPolicy = "api-key";
    public const string RateLimitPolicy = "per-api-key";

    public static WebApplicationBuilder AddSelfHostEdge(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SelfHostOptions>(builder.Configuration, SelfHostOptions.Section, options => options.Validate());
        services.AddMvcCore();
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // The framework's own problems (no route, wrong method, an exception) name RFC sections;
            // a client switches on one vocabulary.
            if (!ProblemResults.Types.IsOurs(context.ProblemDetails.Type))
            {
                context.ProblemDetails.Type = ProblemResults.Types.ForStatus(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            }

            if (CorrelationId.Current is { } correlationId)
            {
                context.ProblemDetails.Extensions[ProblemResults.CorrelationIdExtension] = correlationId;
            }
        });

        services.AddSingleton<ApiKeyRing>();
        // Authentication core only: the full AddAuthentication brings data protection, whose key ring
        // is created at start and costs cold-start time for nothing an API key needs.
        services.AddWebEncoders();
        services.AddAuthenticationCore(authentication =>
        {
            authentication.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, displayName: null);
            authentication.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(RateLimitPolicy, PartitionByClient);
            limiter.OnRejected = RejectAsync;
        });
        services.AddOrderOpenApi();
        return builder;
    }

    public static WebApplication UseSelfHostEdge(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Serverless.Functions.Correlation");
        app.Use(async (context, next) =>
        {
            using var scope = HttpCorrelation.Begin(context, logger);
            await next(context);
        });
        app.UseIdempotencyKeyOnPlacements();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    private static RateLimitPartition<string> PartitionByClient(HttpContext context)
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<SelfHostOptions>>().Value.RateLimit;
        var client = context.User.Identity?.Name;
        if (!limit.Enabled || client is null)
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.BucketSize,
            TokensPerPeriod = limit.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
        context.Response.Headers.RetryAfter = ProblemResults.RetryAfterSeconds(retryAfter);
        LogRateLimited(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SelfHostEdge)), context.User.Identity?.Name);
        await EdgeProblems.WriteAsync(
            context,
            StatusCodes.Status429TooManyRequests,
            ProblemResults.Types.RateLimited,
            "Too many requests",
            $"This API key's request rate is limited; retry after {ProblemResults.RetryAfterSeconds(retryAfter)} s.");
    }

    [LoggerMessage(3300, LogLevel.Warning, "Rate limit reached for client {Client}")]
    private static partial void LogRateLimited(ILogger logger, string? client);
}

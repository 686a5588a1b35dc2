using Serverless.Functions.Http;
using Serverless.Platform.Configuration;
using Serverless.Platform.Correlation;

namespace Serverless.Functions.SelfHost.Edge;

/// <summary>
/// What the Functions host does around a function and Kestrel does not: key checks and rate limits (<see cref="ApiKeyGate"/>),
/// problem details for everything answered outside a function (401, 404, 405, 429, 500), result
/// execution of <c>IActionResult</c>, and the OpenAPI description.
/// </summary>
public static class SelfHostEdge
{
    public static WebApplicationBuilder AddSelfHostEdge(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SelfHostOptions>().Bind(builder.Configuration.GetSection(SelfHostOptions.Section)).ValidateRules(options => options.Validate());
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
        services.AddSingleton<ApiKeyRateLimits>();
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
        app.UseMiddleware<ApiKeyGate>();
        return app;
    }
}

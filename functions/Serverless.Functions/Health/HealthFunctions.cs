using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serverless.Platform.Hosting;

namespace Serverless.Functions.Health;

/// <summary>
/// Liveness and readiness inside the Functions host, at the paths the self-host serves them
/// (<c>/health/live</c>, <c>/health/ready</c>) and with the same checks (those tagged
/// <see cref="HealthTags.Ready"/>), answering the status only. The self-host maps the platform's
/// endpoints instead, with details on its management port.
/// </summary>
public sealed class HealthFunctions(HealthCheckService health)
{
    [Function(nameof(Live))]
    public static IActionResult Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/live")] HttpRequest request) =>
        new OkObjectResult(new { status = nameof(HealthStatus.Healthy) });

    [Function(nameof(Ready))]
    public async Task<IActionResult> Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/ready")] HttpRequest request)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(HealthTags.Ready), request.HttpContext.RequestAborted);
        // Anonymous and public: the status only. Each check's description names addresses and raw
        // errors; the health check service logs them.
        return new ObjectResult(new { status = report.Status.ToString() })
        {
            StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK,
        };
    }
}

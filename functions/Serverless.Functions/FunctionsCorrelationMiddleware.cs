using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Serverless.Functions.Http;

namespace Serverless.Functions;

/// <summary>The Functions host's side of <see cref="HttpCorrelation"/>: runs before every HTTP-triggered function.</summary>
public sealed class FunctionsCorrelationMiddleware(ILogger<FunctionsCorrelationMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        using var scope = context.GetHttpContext() is { } http ? HttpCorrelation.Begin(http, logger) : null;
        await next(context);
    }
}

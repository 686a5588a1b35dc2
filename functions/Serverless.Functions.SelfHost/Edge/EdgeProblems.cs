namespace Serverless.Functions.SelfHost.Edge;

/// <summary>Problem responses the self-host writes itself, outside any function (401, 429).</summary>
internal static class EdgeProblems
{
    public static ValueTask<bool> WriteAsync(HttpContext context, int status, string type, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}

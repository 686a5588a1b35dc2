using Serverless.Functions.Orders;

namespace Serverless.Functions.SelfHost.Edge;

/// <summary>
/// A placement gets its idempotency key before anything can refuse it: without one the edge makes it
/// here (the function then uses it as the client's), and every answer carries the key in effect, also
/// the 401, 429 and routing's 415 that are given before the function runs (issue 11: a client told to
/// retry must be able to retry with the same key).
/// </summary>
public static class IdempotencyKeyEdge
{
    private static readonly PathString Placement = new("/" + OrderLinks.Orders);

    public static WebApplication UseIdempotencyKeyOnPlacements(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (HttpMethods.IsPost(request.Method) && request.Path.Equals(Placement, StringComparison.OrdinalIgnoreCase))
            {
                if (request.Headers[IdempotencyKeyHeader.Name].Count == 0)
                {
                    request.Headers[IdempotencyKeyHeader.Name] = Guid.NewGuid().ToString("D");
                }

                // Static with the context as state: no closure per placement.
                context.Response.OnStarting(static state => EchoKey((HttpContext)state), context);
            }

            return next(context);
        });
        return app;
    }

    /// <summary>The function sets the key it validated; this covers answers given before it ran.</summary>
    private static Task EchoKey(HttpContext context)
    {
        var sent = context.Request.Headers[IdempotencyKeyHeader.Name];
        if (sent.Count == 1 && !context.Response.Headers.ContainsKey(IdempotencyKeyHeader.Name))
        {
            context.Response.Headers[IdempotencyKeyHeader.Name] = sent[0];
        }

        return Task.CompletedTask;
    }
}

using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serverless.Platform.Correlation;

namespace Serverless.Functions.Http;

/// <summary>
/// Gives every request a correlation id: the caller's <c>X-Correlation-Id</c> when acceptable, else
/// the trace id of its W3C <c>traceparent</c>, else a new one. The id is returned in the response,
/// scoped onto every log line of the request and, through <see cref="CorrelationId.Current"/>, put
/// into the Temporal headers of every workflow call the request makes. Both hosts call
/// <see cref="Begin"/> first thing (Kestrel middleware, Functions worker middleware).
/// </summary>
public static class HttpCorrelation
{
    public const string TraceParentHeader = "traceparent";

    public static string Resolve(HttpRequest request)
    {
        var header = request.Headers[CorrelationId.HttpHeader];
        if (header.Count == 1 && CorrelationId.IsAcceptable(header[0]))
        {
            return header[0]!;
        }

        var traceParent = request.Headers[TraceParentHeader];
        if (traceParent.Count == 1 && ActivityContext.TryParse(traceParent[0], null, out var context))
        {
            return context.TraceId.ToHexString();
        }

        return CorrelationId.New();
    }

    /// <summary>Adopts the request's correlation id for the rest of its async flow; dispose to leave the logging scope.</summary>
    public static IDisposable? Begin(HttpContext context, ILogger logger)
    {
        var id = Resolve(context.Request);
        CorrelationId.Current = id;
        context.Response.Headers[CorrelationId.HttpHeader] = id;
        return logger.BeginScope(new CorrelationScope(id));
    }
}

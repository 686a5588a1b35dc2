using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.SelfHost.Edge;

namespace Serverless.Functions.SelfHost;

/// <summary>
/// Maps function classes onto Kestrel endpoints: one endpoint per function, at the route and methods
/// of its trigger. Each request gets a new instance of the class from the request's services (as
/// the Functions worker does), the method's own attributes become endpoint metadata (so OpenAPI
/// describes the method), and non-anonymous functions require an API key and its rate limit.
/// </summary>
public static class FunctionEndpoints
{
    private static readonly ActionDescriptor NoAction = new();

    public static IReadOnlyList<FunctionRoute> MapFunctions<TFunctions>(this IEndpointRouteBuilder endpoints)
        where TFunctions : class
    {
        var routes = FunctionRoutes.Of(typeof(TFunctions));
        var classMetadata = typeof(TFunctions).GetCustomAttributes().ToArray();
        foreach (var route in routes)
        {
            var endpoint = endpoints.MapMethods("/" + route.Route, route.Methods, Invoker<TFunctions>(route))
                .WithName(route.Name)
                .WithMetadata(classMetadata)
                .WithMetadata(route.Method)
                .WithMetadata(route.Method.GetCustomAttributes().ToArray());
            if (route.Level != AuthorizationLevel.Anonymous)
            {
                endpoint.WithMetadata(ApiKeyRequired.Instance);
            }
        }

        return routes;
    }

    private static RequestDelegate Invoker<TFunctions>(FunctionRoute route)
        where TFunctions : class
    {
        var create = route.Method.IsStatic ? null : ActivatorUtilities.CreateFactory<TFunctions>([]);
        var invoker = MethodInvoker.Create(route.Method);
        var binders = route.Method.GetParameters()
            .Select<ParameterInfo, Func<HttpContext, object?>>(p => p.ParameterType == typeof(HttpRequest)
                ? context => context.Request
                : context => context.Request.RouteValues[p.Name!] as string)
            .ToArray();

        return async context =>
        {
            var arguments = new object?[binders.Length];
            for (var i = 0; i < binders.Length; i++)
            {
                arguments[i] = binders[i](context);
            }

            var returned = invoker.Invoke(create?.Invoke(context.RequestServices, null), arguments.AsSpan());
            var result = returned as IActionResult ?? await (Task<IActionResult>)returned!;
            await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), NoAction));
        };
    }
}

using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Functions.SelfHost;

/// <summary>An HTTP-triggered function as its attributes declare it: the Functions host reads the same ones.</summary>
public sealed record FunctionRoute(string Name, string Route, IReadOnlyList<string> Methods, AuthorizationLevel Level, MethodInfo Method);

/// <summary>
/// Reads the route table of a function class from its <see cref="FunctionAttribute"/> and
/// <see cref="HttpTriggerAttribute"/>, and checks at start that the self-host can bind every
/// parameter the way the Functions worker does: the <see cref="Microsoft.AspNetCore.Http.HttpRequest"/>
/// trigger, and strings named after route parameters.
/// </summary>
public static class FunctionRoutes
{
    public static IReadOnlyList<FunctionRoute> Of(Type functionClass) =>
        functionClass.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(method => method.GetCustomAttribute<FunctionAttribute>() is not null)
            .Select(Describe)
            .ToList();

    private static FunctionRoute Describe(MethodInfo method)
    {
        var name = method.GetCustomAttribute<FunctionAttribute>()!.Name;
        var trigger = method.GetParameters()
            .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
            .SingleOrDefault(a => a is not null)
            ?? throw new InvalidOperationException($"Function {name} has no [HttpTrigger] parameter; the self-host serves HTTP functions only.");
        var route = trigger.Route ?? name;
        var methods = trigger.Methods is { Length: > 0 } declared
            ? declared.Select(m => m.ToUpperInvariant()).ToList()
            : ["GET", "POST"];

        foreach (var parameter in method.GetParameters())
        {
            var bindable = parameter.ParameterType == typeof(Microsoft.AspNetCore.Http.HttpRequest)
                           || (parameter.ParameterType == typeof(string) && route.Contains($"{{{parameter.Name}}}", StringComparison.Ordinal));
            if (!bindable)
            {
                throw new InvalidOperationException(
                    $"Function {name}: parameter '{parameter.Name}' ({parameter.ParameterType.Name}) is neither the HttpRequest nor a route value of '{route}'; the self-host cannot bind it.");
            }
        }

        if (method.ReturnType != typeof(Task<IActionResult>) && method.ReturnType != typeof(IActionResult))
        {
            throw new InvalidOperationException($"Function {name} must return IActionResult or Task<IActionResult>.");
        }

        return new FunctionRoute(name, route, methods, trigger.AuthLevel, method);
    }
}

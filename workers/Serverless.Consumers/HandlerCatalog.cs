using System.Reflection;
using Serverless.Catalog;
using Serverless.Consumers.Handlers;

namespace Serverless.Consumers;

/// <summary>
/// The class behind each handler name of the catalog (<see cref="StreamHandlers"/>, which says what the
/// handlers are called and which consumer groups run them): every <see cref="IStreamHandler"/> of
/// this assembly, registering itself and what it needs.
/// </summary>
public static class HandlerCatalog
{
    public static IReadOnlyDictionary<string, Action<IServiceCollection, IConfiguration, string>> Registrations { get; } =
        Discover(typeof(HandlerCatalog).Assembly);

    /// <summary>The handlers of <paramref name="assembly"/> by name; two classes claiming one name stop the host at start, naming both.</summary>
    public static Dictionary<string, Action<IServiceCollection, IConfiguration, string>> Discover(Assembly assembly)
    {
        var handlers = assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsAssignableTo(typeof(IStreamHandler)))
            .Select(t => typeof(HandlerCatalog).GetMethod(nameof(Declared), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(t)
                .CreateDelegate<Func<DeclaredHandler>>()())
            .ToList();
        var clashes = handlers.GroupBy(h => h.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"'{g.Key}' is claimed by {string.Join(" and ", g.Select(h => h.Type.Name).Order(StringComparer.Ordinal))}")
            .ToList();
        if (clashes.Count > 0)
        {
            throw new InvalidOperationException($"Stream handler names must be unique ({StreamConsumers.SourceFile}): {string.Join("; ", clashes)}.");
        }

        return handlers.ToDictionary(h => h.Name, h => h.Register, StringComparer.Ordinal);
    }

    private static DeclaredHandler Declared<T>()
        where T : IStreamHandler => new(T.HandlerName, typeof(T), T.Register);

    private sealed record DeclaredHandler(string Name, Type Type, Action<IServiceCollection, IConfiguration, string> Register);
}

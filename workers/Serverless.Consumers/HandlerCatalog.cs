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

    public static Dictionary<string, Action<IServiceCollection, IConfiguration, string>> Discover(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsAssignableTo(typeof(IStreamHandler)))
            .Select(t => typeof(HandlerCatalog).GetMethod(nameof(Declared), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(t)
                .CreateDelegate<Func<(string, Action<IServiceCollection, IConfiguration, string>)>>()())
            .ToDictionary(h => h.Item1, h => h.Item2, StringComparer.Ordinal);

    private static (string Name, Action<IServiceCollection, IConfiguration, string> Register) Declared<T>()
        where T : IStreamHandler => (T.HandlerName, T.Register);
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Environments;

namespace Serverless.Platform.Tests;

/// <summary>A service provider wired like a deployable's, from in-memory settings, environment <c>dev</c>.</summary>
internal static class PlatformServices
{
    public static ServiceProvider Build(IDictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> register)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Serverless:Environment"] = "dev" })
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddServerlessEnvironment(configuration);
        register(services, configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>A name no other test uses, for key prefixes, streams and schemas.</summary>
    public static string Unique(string what) => $"{what}_{Guid.NewGuid():N}"[..(what.Length + 13)];
}

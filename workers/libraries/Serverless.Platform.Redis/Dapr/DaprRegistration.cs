using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Platform.Json;
using Serverless.Platform.Redis;

namespace Serverless.Platform.Dapr;

public static class DaprRegistration
{
    /// <summary>True when configuration says a sidecar serves this process (<c>Dapr:Enabled</c>).</summary>
    public static bool UsesDapr(this IConfiguration configuration) =>
        configuration.GetSection(DaprOptions.Section).Get<DaprOptions>()?.Enabled == true;

    /// <summary>A <see cref="DaprClient"/> serialising exactly as the direct Redis adapters do.</summary>
    public static IServiceCollection AddServerlessDaprClient(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => new DaprClientBuilder().UseJsonSerializationOptions(WireJson.Options).Build());
        return services;
    }

    /// <summary>
    /// Registers <typeparamref name="TService"/> as its sidecar implementation when <c>Dapr:Enabled</c>,
    /// else as its direct Redis implementation (also resolvable as itself).
    /// </summary>
    public static IServiceCollection AddThroughDaprOrRedis<TService, TDapr, TRedis>(this IServiceCollection services, IConfiguration configuration)
        where TService : class
        where TDapr : class, TService
        where TRedis : class, TService
    {
        if (configuration.UsesDapr())
        {
            services.AddServerlessDaprClient();
            services.AddSingleton<TService, TDapr>();
        }
        else
        {
            services.AddServerlessRedis(configuration);
            services.AddSingleton<TRedis>();
            services.AddSingleton<TService>(provider => provider.GetRequiredService<TRedis>());
        }

        return services;
    }
}

using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Platform.Json;

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
}

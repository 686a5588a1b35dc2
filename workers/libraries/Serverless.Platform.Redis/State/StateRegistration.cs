using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Configuration;
using Serverless.Platform.Dapr;
using Serverless.Platform.Environments;

namespace Serverless.Platform.State;

public static class StateRegistration
{
    /// <summary>The state store: through the sidecar when <c>Dapr:Enabled</c>, else straight to Redis in Dapr's layout.</summary>
    public static IServiceCollection AddServerlessState(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(IStateStore)))
        {
            return services;
        }

        services.AddOptions<StateOptions>().Bind(configuration.GetSection(StateOptions.Section)).ValidateRules((state, environment) => state.Validate(environment));
        return services.AddThroughDaprOrRedis<IStateStore, DaprStateStore, RedisStateStore>(configuration);
    }
}

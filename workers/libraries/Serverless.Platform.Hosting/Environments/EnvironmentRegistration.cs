using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Configuration;

namespace Serverless.Platform.Environments;

public static class EnvironmentRegistration
{
    public static IServiceCollection AddServerlessEnvironment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ServerlessEnvironmentOptions>().Bind(configuration.GetSection(ServerlessEnvironmentOptions.Section)).ValidateRules(EnvironmentGuard.ValidateEnvironment);
        return services;
    }
}

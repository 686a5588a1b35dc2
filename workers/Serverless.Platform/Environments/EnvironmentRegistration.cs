using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Configuration;

namespace Serverless.Platform.Environments;

public static class EnvironmentRegistration
{
    public static IServiceCollection AddServerlessEnvironment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ServerlessEnvironmentOptions>(
            configuration, ServerlessEnvironmentOptions.Section, EnvironmentGuard.ValidateEnvironment);
        return services;
    }
}

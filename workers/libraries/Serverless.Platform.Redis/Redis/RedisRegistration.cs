using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Platform.Configuration;
using Serverless.Platform.Environments;
using Serverless.Platform.Hosting;

namespace Serverless.Platform.Redis;

public static class RedisRegistration
{
    /// <summary>Redis connections (validated options) and the memory guard: metric, readiness and backpressure.</summary>
    public static IServiceCollection AddServerlessRedis(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(RedisConnections)))
        {
            return services;
        }

        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section)).ValidateRules((redis, environment) =>
            redis.Validate().Concat(EnvironmentGuard.FindMixing(environment, redis.Hosts().Select(host => ("Redis:Configuration", (string?)host)))));
        services.AddSingleton<RedisConnections>();
        services.AddStartupWarmup(provider => provider.GetRequiredService<RedisConnections>().SharedAsync());
        services.AddSingleton<RedisMemoryGuard>();
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<RedisMemoryGuard>());
        services.AddHealthChecks().AddCheck<RedisMemoryGuard>("redis", tags: [HealthTags.Ready]);
        return services;
    }
}

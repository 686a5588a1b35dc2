using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Platform.Configuration;
using Serverless.Platform.Dapr;
using Serverless.Platform.Environments;

namespace Serverless.Platform.Messaging;

public static class MessagingRegistration
{
    /// <summary>The event publisher: through the sidecar when <c>Dapr:Enabled</c>, else straight to Redis streams.</summary>
    public static IServiceCollection AddServerlessEventPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(IEventPublisher)))
        {
            return services;
        }

        services.AddOptions<MessagingOptions>().Bind(configuration.GetSection(MessagingOptions.Section)).ValidateRules((messaging, environment) => messaging.Validate(environment));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CloudEventFactory>();
        return services.AddThroughDaprOrRedis<IEventPublisher, DaprEventPublisher, RedisStreamPublisher>(configuration);
    }
}

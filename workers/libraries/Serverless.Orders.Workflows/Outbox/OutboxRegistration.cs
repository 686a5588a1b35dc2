using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Platform.Configuration;
using Serverless.Platform.Postgres;

namespace Serverless.Orders.Outbox;

public static class OutboxRegistration
{
    /// <summary>The <c>order_outbox</c> table and <see cref="OrderOutbox"/> (section <c>Postgres</c>).</summary>
    public static IServiceCollection AddOrderOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddServerlessPostgres(configuration);
        services.AddPostgresMigration(OrderOutbox.Migration);
        services.TryAddSingleton<OrderOutbox>();
        return services;
    }

    /// <summary>
    /// The relay as a hosted service when <c>Outbox:Relay:Enabled</c>, starting through Temporal
    /// unless an <see cref="IOrderWorkflowStarter"/> is registered already (a test seam).
    /// </summary>
    public static IServiceCollection AddOrderOutboxRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxRelayOptions>().Bind(configuration.GetSection(OutboxRelayOptions.Section)).ValidateRules(options => options.Validate());
        if (!configuration.GetSection(OutboxRelayOptions.Section).GetValue<bool>(nameof(OutboxRelayOptions.Enabled)))
        {
            return services;
        }

        services.AddOrderOutbox(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IOrderWorkflowStarter, TemporalOrderWorkflowStarter>();
        services.TryAddSingleton<OutboxMetrics>();
        services.AddHostedService<OutboxRelay>();
        return services;
    }
}

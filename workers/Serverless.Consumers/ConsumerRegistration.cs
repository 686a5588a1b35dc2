using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serverless.Catalog;
using Serverless.Consumers.Consuming;
using Serverless.Consumers.Push;
using Serverless.Consumers.Streams;
using Serverless.Naming;
using Serverless.Platform.Configuration;
using Serverless.Platform.Environments;
using Serverless.Platform.Hosting;
using Serverless.Platform.Postgres;
using Serverless.Platform.Redis;

namespace Serverless.Consumers;

public static class ConsumerRegistration
{
    /// <summary>
    /// The consumer this process runs, from <c>Consumer:*</c>: its handler (and what that needs), the
    /// idempotency inbox, and either one stream reader per configured stream (pull) or nothing more
    /// (Dapr push; <see cref="MapConsumer"/> maps the endpoints). Resolved here, so an invalid setting
    /// stops the process before it reads anything.
    /// </summary>
    public static IHostApplicationBuilder AddConsumer(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<ConsumerOptions>().Bind(configuration.GetSection(ConsumerOptions.Section)).ValidateRules((consumer, environment) => consumer.Validate(environment, StreamHandlers.All));
        var options = configuration.GetSection(ConsumerOptions.Section).Get<ConsumerOptions>() ?? new ConsumerOptions();
        var environment = configuration[$"{ServerlessEnvironmentOptions.Section}:{nameof(ServerlessEnvironmentOptions.Environment)}"] ?? string.Empty;
        if (!AddHandler(services, configuration, options))
        {
            // Unknown handler: nothing else to wire; option validation reports it at start.
            return builder;
        }

        services.AddServerlessPostgres(configuration);
        services.AddPostgresMigration(EventPipeline.InboxMigration);
        // Every event needs the inbox: its tables and the pool's first connection are made while the
        // host starts (other PostgreSQL users, such as the functions, keep creating them on first use).
        services.AddStartupWarmup(provider => provider.GetRequiredService<PostgresSchema>().EnsureAsync(CancellationToken.None));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EventPipeline>();
        services.AddSingleton<ConsumerMetrics>();
        if (options.Delivery == ConsumerDelivery.Pull)
        {
            services.AddServerlessRedis(configuration);
            services.AddSingleton<ConsumerIdentity>();
            services.AddSingleton<ConsumerReadiness>();
            services.AddHealthChecks().AddCheck<ConsumerReadiness>("streams", tags: [HealthTags.Ready]);
            var streams = options.LogicalStreams.Distinct(StringComparer.Ordinal).ToList();
            // Each stream's blocking reader connects while the host starts, as the shared connection does.
            services.AddStartupWarmup(provider =>
            {
                var connections = provider.GetRequiredService<RedisConnections>();
                var blockTime = provider.GetRequiredService<IOptions<ConsumerOptions>>().Value.BlockTime;
                streams.ForEach(_ => connections.ConnectDedicatedAhead(blockTime));
                return Task.CompletedTask;
            });
            foreach (var stream in streams)
            {
                var physical = ResourceNames.For(environment, stream);
                services.AddSingleton<IHostedService>(provider => ActivatorUtilities.CreateInstance<StreamConsumerService>(provider, physical));
            }
        }

        return builder;
    }

    /// <summary>Maps Dapr's subscription endpoints when this consumer gets its events pushed by a sidecar.</summary>
    public static WebApplication MapConsumer(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ConsumerOptions>>().Value.Delivery == ConsumerDelivery.DaprPush)
        {
            app.MapDaprSubscriptions();
        }

        return app;
    }

    private static bool AddHandler(IServiceCollection services, IConfiguration configuration, ConsumerOptions options)
    {
        if (!HandlerCatalog.Registrations.TryGetValue(options.Handler, out var register))
        {
            return false;
        }

        register(services, configuration, options.GroupName);
        return true;
    }
}

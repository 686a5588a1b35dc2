using Serverless.Catalog;
using Serverless.Naming;
using Serverless.Orders.Integrations;
using Serverless.Orders.Outbox;
using Serverless.Platform.Configuration;
using Serverless.Platform.Environments;
using Serverless.Platform.Hosting;
using Serverless.Platform.Messaging;
using Serverless.Platform.Redis;
using Serverless.Platform.Temporal;
using Serverless.Workers.Hosting;
using Serverless.Workers.InFlight;
using Serverless.Workers.Observability;
using Serverless.Workers.Queues;

namespace Serverless.Workers;

public static class WorkerRegistration
{
    /// <summary>
    /// Registers one hosted Temporal worker per task queue named in <c>Workers:Poll</c>, and the
    /// publisher of their in-flight leases. The plan is resolved from configuration here, so an
    /// invalid setting stops the process before it polls.
    /// </summary>
    public static IHostApplicationBuilder AddOrderWorkers(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddServerlessTemporalClient(configuration);
        services.AddOrderIntegrations(configuration);
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.Section)).ValidateRules(WorkerOptionsRules.Validate);
        services.AddOptions<PaymentGatewayOptions>().ValidateRules(IntegrationEnvironmentRules.Validate);
        services.AddOptions<InventoryServiceOptions>().ValidateRules(IntegrationEnvironmentRules.Validate);

        foreach (var activities in QueueCatalog.ActivityTypes)
        {
            services.AddScoped(activities);
        }

        services.AddSingleton<TemporalConnector>();
        services.AddSingleton<WorkerReadiness>();
        services.AddSingleton<ActivityObservabilityInterceptor>();
        services.AddHealthChecks().AddCheck<WorkerReadiness>("workers", tags: [HealthTags.Ready]);

        var workerOptions = configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        var environment = configuration[$"{ServerlessEnvironmentOptions.Section}:{nameof(ServerlessEnvironmentOptions.Environment)}"] ?? string.Empty;
        // Every pool needs Redis: its in-flight lease is what keeps a pool with work running from
        // being scaled to zero (signal: work), so Redis:Configuration is required and validated at
        // start. Reaching Redis is not: the publisher only warns while Redis is down.
        services.AddServerlessRedis(configuration);
        services.AddOptions<InFlightLeaseOptions>().Bind(configuration.GetSection(InFlightLeaseOptions.Section)).ValidateRules(lease => lease.Validate());
        // Before the queue workers: hosted services stop in reverse order, so the leases are
        // renewed while the workers drain and released after (InFlightLeasePublisher).
        services.AddHostedService<InFlightLeasePublisher>();

        // Only the orders queue publishes events.
        if (workerOptions.PolledQueues.Contains(ActivityQueues.Orders.Name, StringComparer.Ordinal))
        {
            services.AddServerlessEventPublishing(configuration);
            // The orders pool (floor of one) relays orders accepted while Temporal was down, when Outbox:Relay:Enabled.
            services.AddOrderOutboxRelay(configuration);
        }

        foreach (var queue in workerOptions.PolledQueues.Where(QueueCatalog.Queues.ContainsKey).Distinct(StringComparer.Ordinal))
        {
            var definition = QueueCatalog.Queues[queue];
            var tuning = workerOptions.TuningFor(queue);
            var plan = new QueueWorkerPlan(
                queue,
                ResourceNames.For(environment, queue),
                WorkerOptionsRules.SelectWorkflows(definition, tuning),
                WorkerOptionsRules.SelectActivities(definition, tuning),
                tuning)
            {
                LocalActivities = WorkerOptionsRules.SelectLocalActivities(definition, tuning),
            };
            var slots = new QueueSlots(plan);
            services.AddSingleton(slots);
            services.AddSingleton<IHostedService>(provider => ActivatorUtilities.CreateInstance<QueueWorkerService>(provider, plan, slots));
        }

        return builder;
    }
}

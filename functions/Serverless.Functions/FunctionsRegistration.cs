using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Serverless.Functions.Health;
using Serverless.Functions.Orders;
using Serverless.Functions.Temporal;
using Serverless.Platform;
using Serverless.Platform.Configuration;
using Serverless.Platform.Temporal;

namespace Serverless.Functions;

public static class FunctionsRegistration
{
    /// <summary>
    /// What the order functions need, in either host: validated options, the Temporal client (lazy,
    /// with correlation propagation and its readiness check), the workflow gateway, the status reader
    /// and the Redis readiness check. An <c>IOrderReadModel</c> registered beside this is used by
    /// <c>GET /api/orders/{id}</c>; without one, status comes from the workflow alone.
    /// </summary>
    public static IHostApplicationBuilder AddOrderFunctions(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<FunctionsOptions>(builder.Configuration, FunctionsOptions.Section, options => options.Validate());
        services.AddServerlessTemporalClient(builder.Configuration);
        services.AddSingleton<OrderWorkflowGateway>();
        services.AddTransient<OrderStatusReader>();
        services.AddSingleton<RedisProbe>();
        services.AddHealthChecks().AddCheck<RedisReadinessCheck>("redis", HealthStatus.Degraded, [HealthTags.Ready]);
        return builder;
    }
}

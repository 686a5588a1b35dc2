using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Functions.Orders;
using Serverless.Functions.Temporal;
using Serverless.Orders.ReadModel;
using Serverless.Platform.Configuration;
using Serverless.Platform.Temporal;

namespace Serverless.Functions;

public static class FunctionsRegistration
{
    /// <summary>
    /// What the order functions need, in either host: validated options, the Temporal client (lazy,
    /// with correlation propagation and its readiness check), the workflow gateway, the status reader
    /// and the order read model (state store first, PostgreSQL when Redis is down; its Redis check
    /// reports <c>Degraded</c>, not <c>Unhealthy</c>, when Redis is unreachable: reads still work).
    /// </summary>
    public static IHostApplicationBuilder AddOrderFunctions(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<FunctionsOptions>().Bind(builder.Configuration.GetSection(FunctionsOptions.Section)).ValidateRules(options => options.Validate());
        services.AddServerlessTemporalClient(builder.Configuration);
        services.AddSingleton<OrderWorkflowGateway>();
        services.AddHttpClient<ScalerNotifier>();
        services.AddSingleton<OrderStatusReader>();
        services.AddOrderReadModel(builder.Configuration);
        services.AddOrderAcceptance(builder.Configuration);
        return builder;
    }
}

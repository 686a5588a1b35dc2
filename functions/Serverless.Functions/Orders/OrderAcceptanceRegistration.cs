using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Orders.Outbox;
using Serverless.Platform.Configuration;

namespace Serverless.Functions.Orders;

public static class OrderAcceptanceRegistration
{
    /// <summary><see cref="OrderAcceptance"/>, its validated mode (section <c>OrderAccept</c>) and the order outbox it writes.</summary>
    public static IServiceCollection AddOrderAcceptance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OrderAcceptOptions>().Bind(configuration.GetSection(OrderAcceptOptions.Section)).ValidateRules(options => options.Validate());
        services.AddOrderOutbox(configuration);
        services.AddSingleton<OrderAcceptance>();
        return services;
    }
}

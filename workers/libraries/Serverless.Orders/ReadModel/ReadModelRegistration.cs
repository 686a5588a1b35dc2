using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Platform.Postgres;
using Serverless.Platform.State;

namespace Serverless.Orders.ReadModel;

public static class ReadModelRegistration
{
    /// <summary>
    /// <see cref="IOrderReadModel"/> (state store first, PostgreSQL fallback) and what writes and
    /// rebuilds it. Reads sections <c>State</c>, <c>Redis</c> (or <c>Dapr</c>) and <c>Postgres</c>.
    /// </summary>
    public static IServiceCollection AddOrderReadModel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddServerlessState(configuration);
        services.AddServerlessPostgres(configuration);
        services.AddPostgresMigration(OrderRecords.Migration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OrderRecords>();
        services.TryAddSingleton<OrderStateWriter>();
        services.TryAddSingleton<OrderReadModelRebuilder>();
        services.TryAddSingleton<IOrderReadModel, OrderReadModel>();
        return services;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serverless.Platform.Configuration;
using Serverless.Platform.Environments;
using Serverless.Platform.Hosting;

namespace Serverless.Platform.Postgres;

public static class PostgresRegistration
{
    /// <summary>The PostgreSQL data source (validated pool settings), schema migrations and a readiness check.</summary>
    public static IServiceCollection AddServerlessPostgres(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(PostgresDatabase)))
        {
            return services;
        }

        services.AddOptions<PostgresOptions>().Bind(configuration.GetSection(PostgresOptions.Section)).ValidateRules((postgres, environment) => postgres.Validate(environment));
        services.AddSingleton<PostgresDatabase>();
        services.AddSingleton<PostgresSchema>();
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: [HealthTags.Ready]);
        return services;
    }

    /// <summary>Registers a table a component needs; created on first use by <see cref="PostgresSchema"/>.</summary>
    public static IServiceCollection AddPostgresMigration(this IServiceCollection services, PostgresMigration migration)
    {
        if (!services.Any(d => d.ServiceType == typeof(PostgresMigration) && Equals(d.ImplementationInstance, migration)))
        {
            services.AddSingleton(migration);
        }

        return services;
    }

    private sealed class PostgresHealthCheck(PostgresDatabase database, PostgresSchema schema) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await schema.EnsureAsync(cancellationToken);
                await using var connection = await database.OpenAsync(cancellationToken);
                return HealthCheckResult.Healthy($"schema {database.Schema}");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"PostgreSQL unreachable: {e.Message}");
            }
        }
    }
}

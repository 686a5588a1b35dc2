using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Platform.Environments;
using Serverless.Platform.Hosting;
using Temporalio.Client;

namespace Serverless.Platform.Temporal;

public static class TemporalRegistration
{
    /// <summary>
    /// A lazily connecting <see cref="ITemporalClient"/> with correlation propagation, validated
    /// options and a readiness check. Lazy, so a process starts (and reports not-ready) while
    /// Temporal is unreachable instead of crashing.
    /// </summary>
    public static IServiceCollection AddServerlessTemporalClient(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddOptions<TemporalOptions>().Bind(configuration.GetSection(TemporalOptions.Section)).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<TemporalOptions>, DefaultNamespaceFromEnvironment>();
        services.AddSingleton<IValidateOptions<TemporalOptions>, TemporalOptionsValidator>();
        services.AddSingleton<CorrelationInterceptor>();
        services.AddSingleton<ITemporalClient>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TemporalOptions>>().Value;
            return TemporalClient.CreateLazy(new TemporalClientConnectOptions(options.Address)
            {
                Namespace = options.Namespace!,
                ApiKey = options.ApiKey,
                Tls = options.Tls ? new TlsOptions() : null,
                Interceptors = [provider.GetRequiredService<CorrelationInterceptor>()],
                LoggerFactory = provider.GetRequiredService<ILoggerFactory>(),
            });
        });
        services.AddHealthChecks().AddCheck<TemporalHealthCheck>("temporal", tags: [HealthTags.Ready]);
        return services;
    }

    private sealed class DefaultNamespaceFromEnvironment(IOptions<ServerlessEnvironmentOptions> environment)
        : IPostConfigureOptions<TemporalOptions>
    {
        public void PostConfigure(string? name, TemporalOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.Namespace))
            {
                options.Namespace = environment.Value.Environment;
            }
        }
    }

    private sealed class TemporalOptionsValidator(IOptions<ServerlessEnvironmentOptions> environment) : IValidateOptions<TemporalOptions>
    {
        public ValidateOptionsResult Validate(string? name, TemporalOptions options)
        {
            var errors = new List<string>();
            if (!IsHostAndPort(options.Address))
            {
                errors.Add($"Temporal:Address must be host:port of the Temporal frontend (e.g. localhost:7233); got '{options.Address}'.");
            }

            if (string.IsNullOrWhiteSpace(options.Namespace))
            {
                errors.Add("Temporal:Namespace is empty and Serverless:Environment is not set to default it.");
            }

            errors.AddRange(EnvironmentGuard.FindMixing(
                environment.Value,
                [("Temporal:Namespace", options.Namespace), ("Temporal:Address", options.Address)]));
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        private static bool IsHostAndPort(string address)
        {
            var colon = address.LastIndexOf(':');
            return colon > 0
                && int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && port is > 0 and < 65536;
        }
    }

    private sealed class TemporalHealthCheck(ITemporalClient client) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                if (!client.Connection.IsConnected)
                {
                    await client.Connection.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
                }

                var healthy = await client.Connection.CheckHealthAsync(
                    options: new RpcOptions { Timeout = TimeSpan.FromSeconds(3), CancellationToken = cancellationToken });
                return healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Temporal frontend reports not serving");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"Temporal unreachable at {client.Connection.Options.TargetHost}: {e.Message}");
            }
        }
    }
}

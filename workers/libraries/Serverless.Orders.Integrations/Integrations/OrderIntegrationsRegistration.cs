using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Serverless.Platform.Configuration;

namespace Serverless.Orders.Integrations;

public static class OrderIntegrationsRegistration
{
    /// <summary>Typed clients of the payment gateway and the inventory service, with timeouts and resilience.</summary>
    public static IServiceCollection AddOrderIntegrations(this IServiceCollection services, IConfiguration configuration)
    {
        // Bound here, with the concrete types, for the configuration binding generator.
        services.AddOptions<PaymentGatewayOptions>().Bind(configuration.GetSection(PaymentGatewayOptions.Section));
        services.AddExternalService<PaymentGatewayClient, PaymentGatewayOptions>(PaymentGatewayOptions.Section);
        services.AddOptions<InventoryServiceOptions>().Bind(configuration.GetSection(InventoryServiceOptions.Section));
        services.AddExternalService<InventoryServiceClient, InventoryServiceOptions>(InventoryServiceOptions.Section);
        return services;
    }

    private static void AddExternalService<TClient, TOptions>(this IServiceCollection services, string section)
        where TClient : class
        where TOptions : ExternalServiceOptions
    {
        services.AddOptions<TOptions>().ValidateRules(options => options.Validate(section));

        services.AddHttpClient<TClient>((provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<TOptions>>().Value;
                var baseAddress = options.BaseAddress!.ToString();
                http.BaseAddress = new Uri(baseAddress.EndsWith('/') ? baseAddress : baseAddress + "/");
                // The resilience pipeline owns timeouts; HttpClient's own would cut it short.
                http.Timeout = Timeout.InfiniteTimeSpan;
                if (!string.IsNullOrEmpty(options.ApiKey))
                {
                    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
                }
            })
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider provider) =>
            {
                var options = provider.GetRequiredService<IOptions<TOptions>>().Value;
                resilience.AttemptTimeout.Timeout = options.AttemptTimeout;
                resilience.TotalRequestTimeout.Timeout = options.TotalTimeout;
                // Retrying a POST is safe only because every effectful call carries an Idempotency-Key.
                resilience.Retry.MaxRetryAttempts = Math.Max(options.MaxRetries, 1);
                resilience.Retry.ShouldRetryAfterHeader = true;
                if (options.MaxRetries == 0)
                {
                    resilience.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
                }

                // The circuit breaker's sampling window must cover at least two attempts.
                var sampling = options.AttemptTimeout * 2;
                resilience.CircuitBreaker.SamplingDuration = sampling > TimeSpan.FromSeconds(30) ? sampling : TimeSpan.FromSeconds(30);
            });
    }
}

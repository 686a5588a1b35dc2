using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Functions.SelfHost.Edge;
using Serverless.Functions.SelfHost;
using Serverless.Functions.Tests.Doubles;
using Serverless.Orders.ReadModel;
using Serverless.Platform.Temporal;
using Serverless.Testing;
using Temporalio.Client;

namespace Serverless.Functions.Tests;

/// <summary>
/// The functions self-hosted on a real loopback Kestrel port, composed exactly as the executable
/// is (<see cref="SelfHostApplication.Build"/>), with Temporal replaced by a <see cref="RecordingTemporal"/>
/// (or left real, pointed wherever the settings say) and the read model by a double when given.
/// API keys are made per run: none is written in code.
/// </summary>
public sealed class FunctionsHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private FunctionsHost(WebApplication app, Uri address, Uri managementAddress, string apiKey, RecordingTemporal? temporal)
    {
        this.app = app;
        Address = address;
        ManagementAddress = managementAddress;
        ApiKey = apiKey;
        Temporal = temporal!;
        Client = NewClient(apiKey);
        Anonymous = NewClient(apiKey: null);
        Management = new HttpClient { BaseAddress = managementAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The public port: the functions, status-only probes.</summary>
    public Uri Address { get; }

    /// <summary>The management port: probes with details, the Prometheus scrape.</summary>
    public Uri ManagementAddress { get; }

    public string ApiKey { get; }

    /// <summary>The recorder behind the Temporal client (unset when the host uses a real client).</summary>
    public RecordingTemporal Temporal { get; }

    /// <summary>Sends the <c>shop</c> client's API key.</summary>
    public HttpClient Client { get; }

    public HttpClient Anonymous { get; }

    /// <summary>Talks to the management port.</summary>
    public HttpClient Management { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<FunctionsHost> StartAsync(
        RecordingTemporal? temporal = null,
        IOrderReadModel? readModel = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        RecordedLog? log = null)
    {
        var apiKey = NewKey();
        var app = SelfHostApplication.Build([], builder =>
        {
            Configure(builder, settings, apiKey);
            if (log is not null)
            {
                builder.Logging.AddProvider(log);
            }

            if (temporal is not null)
            {
                builder.Services.AddSingleton<ITemporalClient>(provider => temporal.CreateClient(provider.GetRequiredService<CorrelationInterceptor>()));
            }

            if (readModel is not null)
            {
                builder.Services.AddSingleton(readModel);
            }
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        // The self-host binds its public listener first, then the management one.
        var addresses = app.ListeningAddresses();
        Assert.Equal(2, addresses.Count);
        return new FunctionsHost(app, addresses[0], addresses[1], apiKey, temporal);
    }

    /// <summary>
    /// A working configuration on a free loopback port (no Temporal, no Redis behind it), with
    /// <paramref name="apiKey"/> as the <c>shop</c> client's key, then <paramref name="settings"/> over it.
    /// </summary>
    public static void Configure(WebApplicationBuilder builder, IReadOnlyDictionary<string, string?>? settings, string apiKey)
    {
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Management:Port"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
            ["Logging:LogLevel:Microsoft.AspNetCore.Diagnostics"] = "Critical",
            ["Serverless:Environment"] = "dev",
            ["Temporal:Address"] = "127.0.0.1:1",
            ["Redis:Configuration"] = "127.0.0.1:1",
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=serverless;Database=serverless",
            ["State:KeyPrefix"] = "dev-orders",
            ["Functions:TemporalCallTimeout"] = "00:00:02",
            [$"{SelfHostOptions.Section}:ApiKeys:shop"] = apiKey,
            [$"{SelfHostOptions.Section}:ApiKeys:other"] = NewKey(),
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
    }

    public static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <param name="apiKey">Sent in every request; null for none.</param>
    /// <param name="timeout">When the client gives up on an answer (30 s unless given).</param>
    public HttpClient NewClient(string? apiKey, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add(ApiKeyGate.HeaderName, apiKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        Management.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

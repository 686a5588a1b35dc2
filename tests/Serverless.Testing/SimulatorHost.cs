using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Simulators;

namespace Serverless.Testing;

/// <summary>The payment gateway and inventory simulators on a real loopback Kestrel port.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private SimulatorHost(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    public Uri PaymentsBase => new(Address, "payments/");

    public Uri InventoryBase => new(Address, "inventory/");

    public PaymentGatewaySimulator Gateway => app.Services.GetRequiredService<PaymentGatewaySimulator>();

    public InventorySimulator Inventory => app.Services.GetRequiredService<InventorySimulator>();

    public PaymentGatewaySimulatorOptions GatewaySettings => app.Services.GetRequiredService<IOptions<PaymentGatewaySimulatorOptions>>().Value;

    public InventorySimulatorOptions InventorySettings => app.Services.GetRequiredService<IOptions<InventorySimulatorOptions>>().Value;

    /// <summary>
    /// Starts both simulators with fast defaults (no latency, no faults, whatever the simulators'
    /// own simulators.json says); <paramref name="settings"/>
    /// override them, e.g. <c>["Simulators:PaymentGateway:TransientFailureRate"] = "1"</c>.
    /// </summary>
    public static async Task<SimulatorHost> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var defaults = new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:0" };
        foreach (var simulator in new[] { "PaymentGateway", "Inventory" })
        {
            defaults[$"Simulators:{simulator}:MinLatency"] = "00:00:00";
            defaults[$"Simulators:{simulator}:MaxLatency"] = "00:00:00";
            defaults[$"Simulators:{simulator}:TransientFailureRate"] = "0";
            defaults[$"Simulators:{simulator}:ResponseLossRate"] = "0";
        }

        builder.Configuration.AddInMemoryCollection(defaults);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSimulators(builder.Configuration);
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }

        var app = builder.Build();
        app.MapSimulators();
        await app.StartAsync(cancellationToken);
        return new SimulatorHost(app, app.ListeningAddress());
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Platform.Hosting;
using Serverless.Scaler.Grpc;

namespace Serverless.Scaler.Tests;

/// <summary>The push scaler on real loopback ports: gRPC (HTTP/2) for KEDA's side, HTTP/1 for notifications.</summary>
internal sealed class ScalerHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly GrpcChannel channel;

    private ScalerHost(WebApplication app, int grpcPort, int httpPort)
    {
        this.app = app;
        channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Client = new ExternalScaler.ExternalScalerClient(channel);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
    }

    public ExternalScaler.ExternalScalerClient Client { get; }

    public HttpClient Http { get; }

    /// <summary>
    /// Starts the scaler on <paramref name="redis"/>; <paramref name="settings"/> adds configuration (e.g.
    /// <c>Temporal:Address</c>) and <paramref name="services"/> replaces registrations after the scaler's own
    /// (a test clock, given task-queue stats).
    /// </summary>
    public static async Task<ScalerHost> StartAsync(
        string redis,
        TimeSpan recheckInterval,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        // A free port can be taken by another process before Kestrel binds it (test projects run in
        // parallel): try again on fresh ports.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortsAsync(redis, recheckInterval, settings, services);
            }
            catch (IOException e) when (attempt < 5 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
            }
        }
    }

    private static async Task<ScalerHost> StartOnFreePortsAsync(
        string redis,
        TimeSpan recheckInterval,
        IReadOnlyDictionary<string, string?>? settings,
        Action<IServiceCollection>? services)
    {
        var (grpcPort, httpPort) = (FreePort(), FreePort());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serverless:Environment"] = "dev",
            ["Scaler:Redis"] = redis,
            ["Scaler:ListenAddress"] = "127.0.0.1",
            ["Scaler:GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Scaler:HttpPort"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Scaler:RecheckInterval"] = recheckInterval.ToString(),
            ["Scaler:BlockTimeout"] = "00:00:00.500",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddServiceDefaults("serverless-scaler-test");
        builder.AddPushScaler();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapPushScaler();
        try
        {
            await app.StartAsync(Xunit.TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new ScalerHost(app, grpcPort, httpPort);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

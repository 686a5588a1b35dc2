using System.Globalization;
using Serverless.Local.Embedded;
using Serverless.Local.Processes;

namespace Serverless.Local.Up;

/// <summary>The push scaler (workers/Serverless.Scaler) as a local process on free loopback ports.</summary>
public sealed class PushScalerProcess : IAsyncDisposable
{
    private readonly ManagedProcess process;

    private PushScalerProcess(ManagedProcess process, int grpcPort, int httpPort)
    {
        this.process = process;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        NotifyAddress = new Uri($"http://127.0.0.1:{httpPort}/");
    }

    /// <summary>Where KEDA (or the local controller) calls the external scaler contract.</summary>
    public Uri GrpcAddress { get; }

    /// <summary>Where producers say "work on this queue now" (<c>POST notify/{key}</c>).</summary>
    public Uri NotifyAddress { get; }

    public static async Task<PushScalerProcess> StartAsync(
        Deployables deployables, string environment, string redis, string? temporalAddress, string? logFile, CancellationToken cancellationToken)
    {
        var (grpc, http) = (HostTools.FreePort(), HostTools.FreePort());
        var settings = new Dictionary<string, string?>
        {
            ["Serverless__Environment"] = environment,
            ["Scaler__Redis"] = redis,
            ["Scaler__ListenAddress"] = "127.0.0.1",
            ["Scaler__GrpcPort"] = grpc.ToString(CultureInfo.InvariantCulture),
            ["Scaler__HttpPort"] = http.ToString(CultureInfo.InvariantCulture),
        };
        if (temporalAddress is not null)
        {
            settings["Temporal__Address"] = temporalAddress;
            settings["Temporal__Namespace"] = environment;
        }

        var process = ManagedProcess.StartDotnet("scaler", deployables.Scaler, settings);
        if (logFile is not null)
        {
            process.WriteLogTo(logFile);
        }

        var scaler = new PushScalerProcess(process, grpc, http);
        try
        {
            await HostTools.WaitForPortAsync(grpc, TimeSpan.FromSeconds(60), "push scaler", cancellationToken);
            return scaler;
        }
        catch
        {
            await scaler.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await process.StopAsync(TimeSpan.FromSeconds(10));
        await process.DisposeAsync();
    }
}

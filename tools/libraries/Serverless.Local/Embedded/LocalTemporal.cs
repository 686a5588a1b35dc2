using Temporalio.Client;
using Temporalio.Testing;

namespace Serverless.Local.Embedded;

/// <summary>
/// Temporal for local runs: an address given in configuration; else a dev server from the
/// `temporal` CLI (TEMPORAL_CLI_PATH or PATH); else the dev server the SDK downloads.
/// </summary>
public sealed class LocalTemporal : IAsyncDisposable
{
    private readonly WorkflowEnvironment? environment;

    private LocalTemporal(string address, string source, ITemporalClient client, WorkflowEnvironment? environment)
    {
        Address = address;
        Source = source;
        Client = client;
        this.environment = environment;
    }

    public string Address { get; }

    /// <summary>A connected client of the namespace.</summary>
    public ITemporalClient Client { get; }

    /// <summary>Where it came from, for the start-up summary.</summary>
    public string Source { get; }

    /// <summary>The Temporal CLI: <c>TEMPORAL_CLI_PATH</c>, else <c>temporal</c> on PATH, else null.</summary>
    public static string? FindCli() =>
        Environment.GetEnvironmentVariable("TEMPORAL_CLI_PATH") is { Length: > 0 } configured ? configured : HostTools.FindOnPath("temporal");

    /// <summary>Uses <paramref name="configuredAddress"/> as is when given; else starts a dev server from <paramref name="cli"/>, or a downloaded one when that is null.</summary>
    public static async Task<LocalTemporal> StartAsync(string? configuredAddress, string? cli, string @namespace, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(configuredAddress))
        {
            try
            {
                var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(configuredAddress) { Namespace = @namespace })
                    .WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                return new LocalTemporal(configuredAddress, "configured address", client, environment: null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new PrerequisiteMissingException(
                    "Temporal",
                    $"nothing answers at {configuredAddress} ({e.Message})",
                    "Start a Temporal server there, or leave TEMPORAL_ADDRESS unset to run a dev server from the `temporal` CLI.");
            }
        }

        var options = new WorkflowEnvironmentStartLocalOptions
        {
            Namespace = @namespace,
            DevServerOptions = new DevServerOptions { ExistingPath = cli, LogLevel = "warn" },
        };
        try
        {
            var started = await WorkflowEnvironment.StartLocalAsync(options).WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            return new LocalTemporal(started.Client.Connection.Options.TargetHost!, cli is null ? "downloaded dev server" : $"dev server from {cli}", started.Client, started);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new PrerequisiteMissingException(
                "Temporal",
                cli is null
                    ? $"no TEMPORAL_ADDRESS, no 'temporal' CLI on PATH, and the dev server download failed ({e.Message})"
                    : $"the dev server from {cli} did not start ({e.Message})",
                "Install the Temporal CLI (https://docs.temporal.io/cli: curl -sSf https://temporal.download/cli.sh | sh) and put 'temporal' on PATH or set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS=host:port of a running server.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (environment is not null)
        {
            await environment.ShutdownAsync();
        }
    }
}

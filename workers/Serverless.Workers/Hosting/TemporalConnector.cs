using Temporalio.Client;

namespace Serverless.Workers.Hosting;

/// <summary>
/// Connects the shared lazy client once for all queue workers, retrying with capped exponential
/// backoff. A worker pod that starts while Temporal is down waits (not ready) instead of crash-looping.
/// </summary>
public sealed partial class TemporalConnector(
    ITemporalClient client, IHostApplicationLifetime lifetime, ILogger<TemporalConnector> logger)
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private readonly Lock gate = new();
    private Task<ITemporalClient>? connecting;

    public Task<ITemporalClient> ConnectAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            connecting ??= ConnectWithRetriesAsync(lifetime.ApplicationStopping);
        }

        return connecting.WaitAsync(cancellationToken);
    }

    private async Task<ITemporalClient> ConnectWithRetriesAsync(CancellationToken stopping)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (!client.Connection.IsConnected)
                {
                    await client.Connection.ConnectAsync().WaitAsync(stopping);
                }

                LogConnected(client.Connection.Options.TargetHost, client.Options.Namespace, attempt);
                return client;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                LogConnectFailed(client.Connection.Options.TargetHost, attempt, delay, e.Message);
            }

            await Task.Delay(delay, stopping);
            delay = delay * 2 > MaxDelay ? MaxDelay : delay * 2;
        }
    }

    [LoggerMessage(2000, LogLevel.Information, "Connected to Temporal at {Target}, namespace {Namespace} (attempt {Attempt})")]
    private partial void LogConnected(string? target, string @namespace, int attempt);

    [LoggerMessage(2001, LogLevel.Warning, "Temporal at {Target} unreachable (attempt {Attempt}); retrying in {Delay}: {Error}")]
    private partial void LogConnectFailed(string? target, int attempt, TimeSpan delay, string error);
}

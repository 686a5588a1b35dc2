using Microsoft.Extensions.Options;
using Serverless.Consumers.Consuming;
using Serverless.Orders.ReadModel;

namespace Serverless.Consumers.ReadModel;

/// <summary>
/// The automatic rebuild: the projection checks that the state store still holds the read model
/// (its rebuild marker) and, when Redis comes back empty, restores it from PostgreSQL. While Redis
/// is away the check fails quietly and readers use PostgreSQL.
/// </summary>
public sealed partial class ReadModelRebuildService(
    OrderReadModelRebuilder rebuilder, IOptions<ConsumerOptions> options, ILogger<ReadModelRebuildService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReadModelCheckInterval);
        try
        {
            do
            {
                try
                {
                    if (await rebuilder.IsNeededAsync(stoppingToken))
                    {
                        LogRebuilding();
                        await rebuilder.RebuildAsync(stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCheckFailed(e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    [LoggerMessage(8000, LogLevel.Warning, "The state store lacks the order read model (new or emptied Redis): rebuilding it from PostgreSQL")]
    private partial void LogRebuilding();

    [LoggerMessage(8001, LogLevel.Warning, "Read model check failed; trying again later: {Error}")]
    private partial void LogCheckFailed(string error);
}

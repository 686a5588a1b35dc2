using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Serverless.Scaler.Signals;

/// <summary>
/// Learns of new stream entries the moment they are added: a blocking XREAD on the streams that
/// push clients wait on, on a connection of its own (a blocking command would stall the shared
/// multiplexer). Each new entry is an arrival on its stream and pulses its signal.
/// </summary>
public sealed partial class StreamWatcher(IOptions<ScalerOptions> options, WorkSignals signals, ILogger<StreamWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var configuration = ConfigurationOptions.Parse(settings.Redis);
        configuration.AbortOnConnectFail = false;
        // XREAD's reply is parsed by hand below: pin RESP2's shape ([[stream, entries], ...])
        // instead of RESP3's map, which StackExchange.Redis flattens to [stream, entries, ...].
        configuration.Protocol = RedisProtocol.Resp2;
        configuration.AsyncTimeout = (int)(settings.BlockTimeout + TimeSpan.FromSeconds(5)).TotalMilliseconds;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        var database = connection.GetDatabase();
        var lastSeen = new Dictionary<string, RedisValue>(StringComparer.Ordinal);
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var streams = signals.WatchedStreams.ToList();
            if (streams.Count == 0)
            {
                await Task.Delay(settings.BlockTimeout, stoppingToken);
                continue;
            }

            try
            {
                foreach (var stream in streams.Where(s => !lastSeen.ContainsKey(s)))
                {
                    lastSeen[stream] = await LatestIdAsync(database, stream);
                    // Entries added before this point are not seen by the XREAD below; one wake-up
                    // makes the push clients count them.
                    signals.Notify(stream);
                }

                foreach (var stream in await ReadNewAsync(database, streams, lastSeen, settings.BlockTimeout))
                {
                    lastSeen[stream] = await LatestIdAsync(database, stream);
                    signals.Arrived(stream);
                }

                backoff = TimeSpan.FromSeconds(1);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong, the watcher backs off and tries again: it must never stop the
                // scaler (polling callers would lose their metric with it).
                LogReadFailed(backoff, e.Message);
                lastSeen.Clear();
                await Task.Delay(backoff, stoppingToken);
                backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
            }
        }
    }

    private static async Task<IReadOnlyList<string>> ReadNewAsync(
        IDatabase database, IReadOnlyList<string> streams, Dictionary<string, RedisValue> lastSeen, TimeSpan block)
    {
        var arguments = new List<object> { "BLOCK", (long)block.TotalMilliseconds, "COUNT", 1, "STREAMS" };
        arguments.AddRange(streams);
        arguments.AddRange(streams.Select(s => (object)lastSeen[s].ToString()));
        var result = await database.ExecuteAsync("XREAD", arguments);
        if (result.IsNull)
        {
            return [];
        }

        return ((RedisResult[])result!).Select(entry => (string)((RedisResult[])entry!)[0]!).ToList();
    }

    private static async Task<RedisValue> LatestIdAsync(IDatabase database, string stream)
    {
        try
        {
            return (await database.StreamInfoAsync(stream)).LastGeneratedId;
        }
        catch (RedisServerException e) when (e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            // XREAD from 0-0 on a stream that does not exist yet wakes on its first entry.
            return "0-0";
        }
    }

    [LoggerMessage(3000, LogLevel.Warning, "Stream watcher cannot read Redis; retrying in {Backoff}: {Error}")]
    private partial void LogReadFailed(TimeSpan backoff, string error);
}

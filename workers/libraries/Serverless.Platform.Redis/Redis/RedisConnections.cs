using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Serverless.Platform.Redis;

/// <summary>
/// The process's Redis connections. One shared multiplexer serves every short command; it never
/// aborts on a failed connect and reconnects by itself, and it fails fast while disconnected (no
/// backlog), so callers can fall back to PostgreSQL at once instead of waiting out a timeout.
/// Blocking reads (<c>XREADGROUP ... BLOCK</c>) would stall every command queued behind them on a
/// multiplexed socket, so each blocking reader gets a dedicated connection.
/// Every connection follows a failover (Sentinel promotes a replica, keda/platform/redis): a lost
/// primary makes StackExchange.Redis reconnect and pick the primary among the configured nodes, but a
/// demoted one stays connected and answers every write with <c>READONLY</c>. That answer makes the
/// connection rediscover the roles at once; when no configured node is primary after that (one name,
/// such as the chart's master Service, that now leads to a replica), the connections to the demoted
/// node are closed so that the reconnect resolves the name again and reaches the new primary (what
/// go-redis, under Dapr and KEDA, does on READONLY too).
/// </summary>
public sealed partial class RedisConnections(IOptions<RedisOptions> options, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> shared = new(() => ConnectAsync(options.Value, loggerFactory, extraTimeout: TimeSpan.Zero));
    private readonly List<ConnectionMultiplexer> dedicated = [];
    private readonly ConcurrentDictionary<TimeSpan, ConcurrentQueue<Task<ConnectionMultiplexer>>> ahead = new();
    private readonly Lock gate = new();

    public async Task<IDatabase> DatabaseAsync()
    {
        var connection = await shared.Value;
        return connection.GetDatabase();
    }

    public async Task<IConnectionMultiplexer> SharedAsync() => await shared.Value;

    /// <summary>
    /// Starts the connect of a dedicated connection that a reader asks for later
    /// (<see cref="DedicatedDatabaseAsync"/> with the same <paramref name="blockTime"/>): a cold start
    /// then waits for one round of handshakes, made while the host starts, instead of a second one after it.
    /// </summary>
    public void ConnectDedicatedAhead(TimeSpan blockTime) =>
        ahead.GetOrAdd(blockTime, _ => new()).Enqueue(ConnectAsync(options.Value, loggerFactory, extraTimeout: blockTime));

    /// <summary>A connection of its own for a reader that blocks up to <paramref name="blockTime"/> per command.</summary>
    public async Task<IDatabase> DedicatedDatabaseAsync(TimeSpan blockTime)
    {
        var connect = ahead.TryGetValue(blockTime, out var made) && made.TryDequeue(out var early)
            ? early
            : ConnectAsync(options.Value, loggerFactory, extraTimeout: blockTime);
        var connection = await connect;
        lock (gate)
        {
            dedicated.Add(connection);
        }

        return connection.GetDatabase();
    }

    public async ValueTask DisposeAsync()
    {
        List<ConnectionMultiplexer> toClose;
        lock (gate)
        {
            toClose = [.. dedicated];
            dedicated.Clear();
        }

        if (shared.IsValueCreated)
        {
            toClose.Add(await shared.Value);
        }

        foreach (var unclaimed in ahead.Values.SelectMany(queue => queue))
        {
            // A connect made ahead for a reader that never started (the host stopped first).
            try
            {
                toClose.Add(await unclaimed);
            }
            catch (Exception e) when (e is RedisException or OptionsValidationException)
            {
                // Nothing was opened.
            }
        }

        ahead.Clear();

        foreach (var connection in toClose)
        {
            await connection.DisposeAsync();
        }
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(RedisOptions settings, ILoggerFactory loggerFactory, TimeSpan extraTimeout)
    {
        var configuration = ConfigurationOptions.Parse(settings.Configuration);
        configuration.Ssl |= settings.Tls;
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = (int)settings.ConnectTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)(settings.OperationTimeout + extraTimeout).TotalMilliseconds;
        configuration.SyncTimeout = configuration.AsyncTimeout;
        configuration.ConnectRetry = 1;
        // StackExchange.Redis counts INFO (the memory guard's only source) as an admin command.
        configuration.AllowAdmin = true;
        // Replies are parsed by hand for the commands StackExchange.Redis has no typed API for
        // (XREADGROUP ... BLOCK, XINFO): pin their shape instead of negotiating RESP3 maps.
        configuration.Protocol = RedisProtocol.Resp2;
        // Reconnect attempts back off exponentially up to 10 s: a Redis outage never makes us spin.
        configuration.ReconnectRetryPolicy = new ExponentialRetry(250, 10_000);
        configuration.LoggerFactory = loggerFactory;
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        FollowPrimary(connection, loggerFactory.CreateLogger<RedisConnections>());
        return connection;
    }

    /// <summary>On <c>READONLY</c> (a write reached a node that is a replica now), one role rediscovery at a time.</summary>
    private static void FollowPrimary(ConnectionMultiplexer connection, ILogger logger)
    {
        var rediscovering = 0;
        connection.ErrorMessage += (_, error) =>
        {
            if (!error.Message.StartsWith("READONLY", StringComparison.Ordinal) || Interlocked.Exchange(ref rediscovering, 1) == 1)
            {
                return;
            }

            LogDemoted(logger, error.EndPoint?.ToString() ?? "unknown");
            _ = Task.Run(async () =>
            {
                try
                {
                    await RediscoverPrimaryAsync(connection, logger);
                }
                finally
                {
                    Volatile.Write(ref rediscovering, 0);
                }
            });
        };
    }

    private static async Task RediscoverPrimaryAsync(ConnectionMultiplexer connection, ILogger logger)
    {
        try
        {
            await connection.ConfigureAsync();
            var servers = connection.GetServers();
            if (servers.Any(s => s.IsConnected && !s.IsReplica))
            {
                return;
            }

            foreach (var replica in servers.Where(s => s.IsConnected && s.IsReplica))
            {
                // This multiplexer's own command connection to the node closes itself; nobody else's.
                var id = (long)await replica.ExecuteAsync("CLIENT", "ID");
                await replica.ExecuteAsync("CLIENT", "KILL", "ID", id, "SKIPME", "no");
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The next READONLY or the reconnect after a lost connection tries again.
            LogRediscoveryFailed(logger, e.Message);
        }
    }

    [LoggerMessage(3011, LogLevel.Warning, "Finding the Redis primary after a failover failed: {Error}")]
    private static partial void LogRediscoveryFailed(ILogger logger, string error);

    [LoggerMessage(3010, LogLevel.Warning, "Redis {Endpoint} answered READONLY: it is a replica now (failover); finding the primary among the configured nodes")]
    private static partial void LogDemoted(ILogger logger, string endpoint);
}

using StackExchange.Redis;

namespace Serverless.Platform.Redis;

/// <summary>Redis refused a write because it reached <c>maxmemory</c>. Retrying at once would only fail again.</summary>
public sealed class RedisOutOfMemoryException(string message, Exception inner) : Exception(message, inner);

/// <summary>Redis is above the memory threshold and did not come back below it in time: the write was held back.</summary>
public sealed class RedisBackpressureException(string message) : Exception(message);

public static class RedisFailures
{
    /// <summary>Redis answers <c>OOM command not allowed when used memory &gt; 'maxmemory'</c>.</summary>
    public static bool IsOutOfMemory(Exception e) =>
        e is RedisServerException && e.Message.StartsWith("OOM", StringComparison.Ordinal);

    /// <summary>Redis cannot be reached (down, restarting, network): callers may fall back or retry later.</summary>
    public static bool IsUnavailable(Exception e) =>
        e is RedisConnectionException or RedisTimeoutException
        || (e is RedisServerException && e.Message.StartsWith("LOADING", StringComparison.Ordinal));
}

using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Serverless.Platform.Json;
using Serverless.Platform.Redis;
using StackExchange.Redis;

namespace Serverless.Platform.State;

/// <summary>
/// Dapr's Redis state store layout and rules without a sidecar (platform-semantics §6.2): one hash
/// per key with <c>data</c> (the JSON bytes <c>DaprClient</c> would send) and <c>version</c>
/// (<c>HINCRBY</c> per write, so the ETag of the first write is "1"), <c>first-write</c> = 0 on keys
/// written with first-write concurrency. Writes and deletes are Lua scripts that apply Dapr's
/// conditions step by step, so both sides accept and refuse the same requests.
/// </summary>
public sealed class RedisStateStore(RedisConnections connections, RedisMemoryGuard memory, IOptions<StateOptions> options) : IStateStore
{
    /// <summary>Refusals raised by our scripts start with this.</summary>
    private const string Refused = "STATE_REFUSED";

    // ARGV: 1 ETag ("0" = none), 2 data, 3 "0" for first-write else "1", 4 TTL seconds or "".
    // Dapr sends EXPIRE/PERSIST as a separate command after the script; doing it inside leaves the
    // same end state and cannot leave a written key without its TTL.
    private static readonly LuaScript SaveScript = LuaScript.Prepare("""
        local version = redis.pcall('HGET', @key, 'version')
        if type(version) == 'table' then
          redis.call('DEL', @key)
        end
        local marked = redis.pcall('HGET', @key, 'first-write')
        if not version or type(version) == 'table' or version == '' or version == @etag or (not marked and @etag == '0') then
          redis.call('HSET', @key, 'data', @data)
          if @firstWrite == '0' then
            redis.call('HSET', @key, 'first-write', 0)
          end
          local written = redis.call('HINCRBY', @key, 'version', 1)
          if @ttl ~= '' then
            if tonumber(@ttl) > 0 then
              redis.call('EXPIRE', @key, @ttl)
            else
              redis.call('PERSIST', @key)
            end
          end
          return written
        end
        return redis.error_reply('STATE_REFUSED set ' .. @key)
        """);

    private static readonly LuaScript DeleteScript = LuaScript.Prepare("""
        local version = redis.pcall('HGET', @key, 'version')
        if not version or type(version) == 'table' or version == '' or version == @etag or @etag == '0' then
          return redis.call('DEL', @key)
        end
        return redis.error_reply('STATE_REFUSED delete ' .. @key)
        """);

    private readonly StateOptions settings = options.Value;

    /// <summary>The Redis key of an application key: <c>&lt;prefix&gt;||&lt;key&gt;</c>.</summary>
    public string RedisKeyFor(string key) => StateKeys.Compose(settings.ResolvedPrefix, key);

    public async Task<StateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var redisKey = RedisKeyFor(key);
        var raw = await RunAsync(() => ReadAsync(database, redisKey), cancellationToken);
        return raw is { } found ? new StateEntry<T>(Deserialize<T>(found.Data, key), found.ETag) : null;
    }

    public async Task<IReadOnlyList<BulkStateEntry<T>>> GetBulkAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var reads = keys.Select(key => ReadAsync(database, RedisKeyFor(key))).ToList();
        await RunAsync(() => Task.WhenAll(reads), cancellationToken);
        return keys.Select((key, i) => reads[i].Result is { } found
                ? new BulkStateEntry<T>(key, Deserialize<T>(found.Data, key), found.ETag)
                : new BulkStateEntry<T>(key, default, null))
            .ToList();
    }

    public async Task<bool> TrySaveAsync<T>(string key, T value, StateWrite write, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var redisKey = RedisKeyFor(key);
        var ttl = write.TtlInSeconds ?? settings.DefaultTtlInSeconds;
        var arguments = new
        {
            key = (RedisKey)redisKey,
            etag = (RedisValue)EffectiveETag(write),
            data = (RedisValue)JsonSerializer.SerializeToUtf8Bytes(value, WireJson.Options),
            firstWrite = (RedisValue)(write.Concurrency == StateConcurrency.FirstWrite ? "0" : "1"),
            ttl = (RedisValue)(ttl?.ToString(CultureInfo.InvariantCulture) ?? string.Empty),
        };
        try
        {
            await RunAsync(() => database.ScriptEvaluateAsync(SaveScript, arguments), cancellationToken);
            return true;
        }
        catch (RedisServerException e) when (e.Message.StartsWith(Refused, StringComparison.Ordinal))
        {
            return write.HasETag
                ? false
                : throw new StateConflictException($"State key '{key}' was created with first-write concurrency: a write needs its current ETag.", e);
        }
        catch (RedisServerException e) when (RedisFailures.IsOutOfMemory(e))
        {
            throw memory.OutOfMemory(e, $"saving state key '{key}'");
        }
    }

    public async Task<bool> TryDeleteAsync(string key, string? etag, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var arguments = new { key = (RedisKey)RedisKeyFor(key), etag = (RedisValue)(string.IsNullOrEmpty(etag) ? "0" : etag) };
        try
        {
            await RunAsync(() => database.ScriptEvaluateAsync(DeleteScript, arguments), cancellationToken);
            return true;
        }
        catch (RedisServerException e) when (e.Message.StartsWith(Refused, StringComparison.Ordinal))
        {
            return false;
        }
    }

    /// <summary>
    /// Dapr's ETag argument: "0" when there is none or concurrency is last-write; otherwise the ETag
    /// parsed as an integer (so "007" matches version 7, and a non-number is rejected).
    /// </summary>
    public static string EffectiveETag(StateWrite write)
    {
        if (write.Concurrency == StateConcurrency.LastWrite || !write.HasETag)
        {
            return "0";
        }

        return long.TryParse(write.ETag, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version)
            ? version.ToString(CultureInfo.InvariantCulture)
            : throw new InvalidETagException(write.ETag!);
    }

    private static async Task<(byte[] Data, string? ETag)?> ReadAsync(IDatabase database, string redisKey)
    {
        HashEntry[] fields;
        try
        {
            fields = await database.HashGetAllAsync(redisKey);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            // A plain string written before the hash layout: Dapr reads it with GET and no ETag.
            var legacy = await database.StringGetAsync(redisKey);
            return legacy.IsNull ? null : ((byte[])legacy!, null);
        }

        if (fields.Length == 0)
        {
            return null;
        }

        var data = fields.FirstOrDefault(f => f.Name == "data");
        var version = fields.FirstOrDefault(f => f.Name == "version");
        if (data.Name.IsNull || version.Name.IsNull)
        {
            throw new InvalidOperationException($"State hash '{redisKey}' lacks the required field 'data' or 'version'.");
        }

        return ((byte[])data.Value!, version.Value.ToString());
    }

    private static T Deserialize<T>(byte[] data, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(data, WireJson.Options)!;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"State key '{key}' does not hold a {typeof(T).Name} in JSON: {e.Message}", e);
        }
    }

    private static async Task<TResult> RunAsync<TResult>(Func<Task<TResult>> operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await operation().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            throw new StateStoreUnavailableException($"Redis state store unavailable: {e.Message}", e);
        }
    }

    private static Task<bool> RunAsync(Func<Task> operation, CancellationToken cancellationToken) =>
        RunAsync(async () =>
        {
            await operation();
            return true;
        }, cancellationToken);

    private async Task<IDatabase> DatabaseAsync()
    {
        try
        {
            return await connections.DatabaseAsync();
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            throw new StateStoreUnavailableException($"Redis state store unavailable: {e.Message}", e);
        }
    }
}

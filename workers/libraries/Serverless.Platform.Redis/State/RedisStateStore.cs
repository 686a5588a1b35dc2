using System.Globalization;
using Microsoft.Extensions.Options;
using Serverless.Platform.Redis;
using StackExchange.Redis;

namespace Serverless.Platform.State;

/// <summary>
/// Dapr's Redis state store layout and rules without a sidecar (platform-semantics §6.2): one hash
/// per key with <c>data</c> (the value's bytes as given: for typed values the JSON <c>DaprClient</c>
/// would send) and <c>version</c>
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

    public async Task<StateEntry<ReadOnlyMemory<byte>>?> GetBytesAsync(string key, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        return await RunAsync(() => ReadAsync(database, key), cancellationToken);
    }

    public async Task<IReadOnlyList<BulkStateEntry<ReadOnlyMemory<byte>>>> GetBulkBytesAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        // Dapr's default bulk get: one read per key in parallel, an error stays on its key (state/bulk.go).
        var reads = keys.Select(key => ReadItemAsync(database, key)).ToList();
        return await RunAsync(() => Task.WhenAll(reads), cancellationToken);
    }

    public async Task<bool> TrySaveBytesAsync(string key, ReadOnlyMemory<byte> value, StateWrite write, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var arguments = SaveArguments(RedisKeyFor(key), EffectiveETag(write), value, write.Concurrency == StateConcurrency.FirstWrite, TtlFor(write));
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
        return await DeleteAsync(database, new StateRemoval(key, etag), cancellationToken);
    }

    public Task<bool> TrySaveBulkAsync(IReadOnlyList<StateUpsert> items, CancellationToken cancellationToken) =>
        BulkSaves.RunAsync(items, item => TrySaveBytesAsync(item.Key, item.Value, item.Write, cancellationToken));

    public async Task<bool> TryDeleteBulkAsync(IReadOnlyList<StateRemoval> items, CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var deletes = await Task.WhenAll(items.Select(item => DeleteAsync(database, item, cancellationToken)));
        return deletes.All(deleted => deleted);
    }

    public async Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        // Dapr parses every ETag while building the pipeline and returns before EXEC on a bad one.
        var etags = operations.Select(o => o is StateUpsert upsert ? EffectiveETag(upsert.Write) : ETagArgument((StateRemoval)o)).ToList();
        var database = await DatabaseAsync();
        var transaction = database.CreateTransaction();
        var results = new List<Task<RedisResult>>(operations.Count);
        var ttlCommands = new List<Task>();
        for (var i = 0; i < operations.Count; i++)
        {
            var redisKey = (RedisKey)RedisKeyFor(operations[i].Key);
            if (operations[i] is StateUpsert upsert)
            {
                // Dapr's Multi passes no first-write argument (the flag is never set here) and queues
                // EXPIRE/PERSIST as commands of their own, which run even when the script refuses the write.
                results.Add(transaction.ScriptEvaluateAsync(SaveScript, SaveArguments(redisKey, etags[i], upsert.Value, firstWrite: false, ttl: null)));
                if (TtlFor(upsert.Write) is { } ttl)
                {
                    ttlCommands.Add(ttl > 0 ? transaction.KeyExpireAsync(redisKey, TimeSpan.FromSeconds(ttl)) : transaction.KeyPersistAsync(redisKey));
                }
            }
            else
            {
                results.Add(transaction.ScriptEvaluateAsync(DeleteScript, new { key = redisKey, etag = (RedisValue)etags[i] }));
            }
        }

        try
        {
            await RunAsync(() => transaction.ExecuteAsync(), cancellationToken);
        }
        catch (RedisServerException e) when (RedisFailures.IsOutOfMemory(e))
        {
            throw memory.OutOfMemory(e, $"a state transaction of {operations.Count} operations");
        }

        await RunAsync(() => Task.WhenAll(ttlCommands), cancellationToken);
        var refused = new List<string>();
        for (var i = 0; i < operations.Count; i++)
        {
            try
            {
                await results[i];
            }
            catch (RedisServerException e) when (e.Message.StartsWith(Refused, StringComparison.Ordinal))
            {
                refused.Add($"{(operations[i] is StateUpsert ? "save" : "delete")} '{operations[i].Key}'");
            }
        }

        if (refused.Count > 0)
        {
            throw new StateTransactionException(
                $"The state store refused {refused.Count} of {operations.Count} operations on their ETag ({string.Join(", ", refused)}); "
                + "the other operations were applied: Redis transactions do not roll back.");
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

    /// <summary>Deletes compare the ETag as given (Dapr does not parse it there), "0" when there is none.</summary>
    private static string ETagArgument(StateRemoval removal) => string.IsNullOrEmpty(removal.ETag) ? "0" : removal.ETag;

    private static object SaveArguments(RedisKey key, string etag, ReadOnlyMemory<byte> data, bool firstWrite, int? ttl) => new
    {
        key,
        etag = (RedisValue)etag,
        data = (RedisValue)data,
        firstWrite = (RedisValue)(firstWrite ? "0" : "1"),
        ttl = (RedisValue)(ttl?.ToString(CultureInfo.InvariantCulture) ?? string.Empty),
    };

    private int? TtlFor(StateWrite write) => write.TtlInSeconds ?? settings.DefaultTtlInSeconds;

    private async Task<bool> DeleteAsync(IDatabase database, StateRemoval item, CancellationToken cancellationToken)
    {
        var arguments = new { key = (RedisKey)RedisKeyFor(item.Key), etag = (RedisValue)ETagArgument(item) };
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

    private async Task<BulkStateEntry<ReadOnlyMemory<byte>>> ReadItemAsync(IDatabase database, string key)
    {
        try
        {
            return new BulkStateEntry<ReadOnlyMemory<byte>>(key, await ReadAsync(database, key));
        }
        catch (UnreadableStateException e)
        {
            return new BulkStateEntry<ReadOnlyMemory<byte>>(key, null, e.Message);
        }
    }

    private async Task<StateEntry<ReadOnlyMemory<byte>>?> ReadAsync(IDatabase database, string key)
    {
        var redisKey = RedisKeyFor(key);
        HashEntry[] fields;
        try
        {
            fields = await database.HashGetAllAsync(redisKey);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            // A plain string written before the hash layout: Dapr reads it with GET and no ETag.
            var legacy = await database.StringGetAsync(redisKey);
            return legacy.IsNull ? null : new StateEntry<ReadOnlyMemory<byte>>((byte[])legacy!, null);
        }

        if (fields.Length == 0)
        {
            return null;
        }

        var data = fields.FirstOrDefault(f => f.Name == "data");
        var version = fields.FirstOrDefault(f => f.Name == "version");
        return data.Name.IsNull || version.Name.IsNull
            ? throw new UnreadableStateException($"State key '{key}' (hash '{redisKey}') lacks the required field 'data' or 'version'.")
            : new StateEntry<ReadOnlyMemory<byte>>((byte[])data.Value!, version.Value.ToString());
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

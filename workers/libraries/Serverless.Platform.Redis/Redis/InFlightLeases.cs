using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace Serverless.Platform.Redis;

/// <summary>One worker's slots on one task queue: how many are in use and how many it has.</summary>
public sealed record WorkerSlots(int WorkflowUsed, int WorkflowCapacity, int ActivityUsed, int ActivityCapacity);

/// <summary>
/// A lease's JSON: the wire options' rules (<see cref="JsonSerializerDefaults.Web"/>, as
/// <c>Serverless.Platform.Json.WireJson</c>), generated at build time. Reflection-based metadata for it
/// was built, with emitted accessors, in every worker's first seconds: a cold start's first lease.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WorkerSlots))]
internal sealed partial class InFlightLeaseJson : JsonSerializerContext;

/// <summary>The live workers of one task queue, their slots summed.</summary>
public sealed record TaskQueueSlots(int Workers, int WorkflowUsed, int WorkflowCapacity, int ActivityUsed, int ActivityCapacity)
{
    public static TaskQueueSlots None { get; } = new(0, 0, 0, 0, 0);
}

/// <summary>
/// In-flight work that Temporal's backlog count does not show (platform-semantics §3.4): every worker
/// renews a lease per task queue saying how many slots it uses, and the push scaler sums the live
/// leases. A lease is a field of one hash per task queue plus its expiry in a sorted set, both keyed
/// on the server's clock, so a killed pod's count disappears by itself after its TTL and the pods'
/// clocks never matter. Both sides share this class so the layout is written once.
/// </summary>
public sealed class InFlightLeases(IDatabase database)
{
    private const string KeyPrefix = "serverless:inflight:";

    // Far above any worker's slots (the workers allow at most 10 000), low enough that summing
    // thousands of leases cannot overflow: a larger count is corrupt, not work.
    private const int MaxSlotsPerWorker = 100_000;

    // KEYS: hash, expiry set. ARGV: worker, ttl ms, slots JSON. Both keys live as long as the
    // longest lease in them, never less: a worker with a shorter TTL must not cut another's short.
    private const string RenewScript = """
        local now = redis.call('TIME')
        local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        redis.call('ZADD', KEYS[2], ms + tonumber(ARGV[2]), ARGV[1])
        local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
        local latest = math.floor(tonumber(last[2]))
        redis.call('PEXPIREAT', KEYS[1], latest)
        redis.call('PEXPIREAT', KEYS[2], latest)
        return 1
        """;

    // KEYS: hash, expiry set. ARGV: worker.
    private const string ReleaseScript = """
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        return 1
        """;

    // KEYS: hash, expiry set. Returns the live leases as [worker, json, ...] and drops the rest: a
    // field counts only while its expiry is in the future, so a field without one (written by
    // anything but RenewAsync) can never count forever.
    private const string ReadScript = """
        local now = redis.call('TIME')
        local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ms)
        local fields = redis.call('HGETALL', KEYS[1])
        local live = {}
        for i = 1, #fields, 2 do
          if redis.call('ZSCORE', KEYS[2], fields[i]) then
            live[#live + 1] = fields[i]
            live[#live + 1] = fields[i + 1]
          else
            redis.call('HDEL', KEYS[1], fields[i])
          end
        end
        return live
        """;

    /// <summary>The hash of one task queue's leases (the expiry set is this key plus <c>:expiry</c>).</summary>
    public static string KeyFor(string taskQueue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskQueue);
        return KeyPrefix + taskQueue;
    }

    public async Task RenewAsync(string taskQueue, string worker, WorkerSlots slots, TimeSpan ttl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromMilliseconds(1));
        var key = KeyFor(taskQueue);
        await database.ScriptEvaluateAsync(
            RenewScript,
            [key, ExpiryKey(key)],
            [worker, (long)ttl.TotalMilliseconds, JsonSerializer.Serialize(slots, InFlightLeaseJson.Default.WorkerSlots)]);
    }

    /// <summary>A worker that drained says so at once instead of waiting for its lease to expire.</summary>
    public async Task ReleaseAsync(string taskQueue, string worker)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        var key = KeyFor(taskQueue);
        await database.ScriptEvaluateAsync(ReleaseScript, [key, ExpiryKey(key)], [worker]);
    }

    /// <summary>The sum over live leases; a lease that cannot be read counts as nothing rather than failing the whole read.</summary>
    public async Task<TaskQueueSlots> ReadAsync(string taskQueue)
    {
        var key = KeyFor(taskQueue);
        var reply = (RedisResult[])(await database.ScriptEvaluateAsync(ReadScript, [key, ExpiryKey(key)]))!;
        int workers = 0, workflowUsed = 0, workflowCapacity = 0, activityUsed = 0, activityCapacity = 0;
        for (var i = 0; i + 1 < reply.Length; i += 2)
        {
            if (Parse((string?)reply[i + 1]) is not { } slots)
            {
                continue;
            }

            workers++;
            workflowUsed += slots.WorkflowUsed;
            workflowCapacity += slots.WorkflowCapacity;
            activityUsed += slots.ActivityUsed;
            activityCapacity += slots.ActivityCapacity;
        }

        return new TaskQueueSlots(workers, workflowUsed, workflowCapacity, activityUsed, activityCapacity);
    }

    private static string ExpiryKey(string key) => key + ":expiry";

    private static WorkerSlots? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            var slots = JsonSerializer.Deserialize(json, InFlightLeaseJson.Default.WorkerSlots);
            return slots is
            {
                WorkflowUsed: >= 0 and <= MaxSlotsPerWorker, WorkflowCapacity: >= 0 and <= MaxSlotsPerWorker,
                ActivityUsed: >= 0 and <= MaxSlotsPerWorker, ActivityCapacity: >= 0 and <= MaxSlotsPerWorker,
            }
                ? slots
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Globalization;
using Serverless.Platform.Messaging;
using StackExchange.Redis;

namespace Serverless.Consumers.Streams;

/// <summary>An entry handed to this consumer, with how often the group has delivered it.</summary>
public sealed record ConsumedEntry(string Id, NameValueEntry[] Fields, long Deliveries)
{
    public RedisValue Payload => Fields.FirstOrDefault(f => f.Name == RedisStreamPublisher.DataField).Value;

    /// <summary>The publish metadata (JSON) a Dapr sidecar or our publisher wrote next to the event; null when there is none.</summary>
    public byte[]? Metadata => Fields.FirstOrDefault(f => f.Name == PublishMetadata.StreamField).Value is { IsNull: false } value ? (byte[])value! : null;
}

/// <summary>One step of a reclaim sweep: the entries taken over, and where the sweep goes on (<see cref="ConsumerGroupClient.SweepDone"/> when the pending list was scanned to its end).</summary>
public sealed record ReclaimBatch(IReadOnlyList<ConsumedEntry> Entries, string Next);

/// <summary>What a leaving consumer did with the entries still pending under its name: moved to <see cref="Target"/>, or kept (<see cref="Kept"/>, no other live consumer).</summary>
public sealed record HandOff(int Count, string Target, bool Kept);

/// <summary>
/// The Redis commands of one consumer in one group on one stream. Blocking reads go over a
/// connection of their own; everything else over the shared one.
/// </summary>
public sealed class ConsumerGroupClient(IDatabase shared, IDatabase blocking, string stream, string group, string consumer)
{
    // Moves an entry to the dead-letter stream and acknowledges it in one step, so it is neither
    // lost between the two nor dead-lettered twice. ARGV: group, entry id, then field/value pairs.
    private const string DeadLetterScript = """
        redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
        redis.call('HDEL', KEYS[3], ARGV[2])
        return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        """;

    // Deletes a consumer only if it still has nothing pending and has been idle long enough,
    // checked and done atomically. ARGV: group, consumer, minimum idle ms.
    private const string DeleteIdleConsumerScript = """
        for _, info in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
          local fields = {}
          for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
          if fields['name'] == ARGV[2] then
            if fields['pending'] == 0 and fields['idle'] >= tonumber(ARGV[3]) then
              return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
            end
            return -1
          end
        end
        return -1
        """;

    // Passes every entry pending under a leaving consumer to the most recently active other consumer
    // that is live (idle below ARGV[3]) and not leaving itself, or keeps them under the leaving name
    // when there is none. Either way each entry's idle time is set to ARGV[4], so the next reclaim
    // sweep of any consumer takes it at once; JUSTID leaves the delivery count alone (a hand-off is
    // no delivery). Atomic, so an entry another consumer reclaims meanwhile is never taken back.
    // KEYS: stream, leaving set. ARGV: group, consumer, live-within ms, idle ms, now ms, leaving window ms.
    private const string HandOffScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[5]) - tonumber(ARGV[6]))
        local target, best = ARGV[2], nil
        for _, info in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
          local fields = {}
          for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
          if fields['name'] ~= ARGV[2] and fields['idle'] < tonumber(ARGV[3]) and (best == nil or fields['idle'] < best)
              and not redis.call('ZSCORE', KEYS[2], fields['name']) then
            target, best = fields['name'], fields['idle']
          end
        end
        local moved, start = 0, '-'
        while true do
          local pending = redis.call('XPENDING', KEYS[1], ARGV[1], start, '+', 500, ARGV[2])
          if #pending == 0 then break end
          local claim = {'XCLAIM', KEYS[1], ARGV[1], target, 0}
          for _, entry in ipairs(pending) do claim[#claim + 1] = entry[1] end
          claim[#claim + 1] = 'IDLE'
          claim[#claim + 1] = ARGV[4]
          claim[#claim + 1] = 'JUSTID'
          redis.call(unpack(claim))
          moved = moved + #pending
          start = '(' .. pending[#pending][1]
        end
        return {moved, target}
        """;

    /// <summary>The cursor that starts a reclaim sweep, and that <c>XAUTOCLAIM</c> returns when the sweep is done.</summary>
    public const string SweepDone = "0-0";

    public string Stream => stream;

    public string Group => group;

    public string Consumer => consumer;

    /// <summary>Last handler errors per entry id, so a dead-letter entry can say why.</summary>
    public string ErrorsKey => $"{stream}-errors-{group}";

    public string DeadLetterStream => TopicNames.DeadLetterFor(stream, group);

    /// <summary>Consumers of the group that are draining (sorted set, score = when they started, Unix ms): nobody hands entries to them.</summary>
    public string LeavingKey => $"{stream}-leaving-{group}";

    /// <summary>Creates the group at the start of the stream (<c>0</c>, as Dapr does): nothing published before the first consumer ran is skipped.</summary>
    public async Task EnsureGroupAsync()
    {
        try
        {
            await shared.StreamCreateConsumerGroupAsync(stream, group, "0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Exists already.
        }
    }

    /// <summary>
    /// <c>XREADGROUP GROUP g c COUNT n [BLOCK ms] STREAMS s &gt;</c>: at most <paramref name="count"/>
    /// new entries, waiting up to <paramref name="block"/> for them (not at all when null).
    /// </summary>
    public async Task<IReadOnlyList<ConsumedEntry>> ReadNewAsync(int count, TimeSpan? block)
    {
        // COUNT 0 means no limit to Redis: one read would take the whole backlog.
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        List<object> arguments = ["GROUP", group, consumer, "COUNT", count.ToString(CultureInfo.InvariantCulture)];
        if (block is { } wait)
        {
            arguments.AddRange(["BLOCK", ((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)]);
        }

        arguments.AddRange(["STREAMS", stream, ">"]);
        var reply = await blocking.ExecuteAsync("XREADGROUP", arguments);
        if (reply.IsNull || reply.Length == 0)
        {
            return [];
        }

        // [[stream, [[id, [field, value, ...]], ...]]]
        var entries = (RedisResult[])reply[0][1]!;
        return entries.Select(entry =>
        {
            var fieldsAndValues = entry[1].IsNull ? [] : (RedisValue[])entry[1]!;
            var fields = new NameValueEntry[fieldsAndValues.Length / 2];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = new NameValueEntry(fieldsAndValues[2 * i], fieldsAndValues[(2 * i) + 1]);
            }

            return new ConsumedEntry((string)entry[0]!, fields, Deliveries: 1);
        }).ToList();
    }

    /// <summary>
    /// <c>XAUTOCLAIM</c> from <paramref name="cursor"/>: takes over at most <paramref name="count"/>
    /// entries pending longer than <paramref name="minIdle"/> (their consumer crashed, is stuck or
    /// handed them off), with their delivery counts. Entries deleted from the stream meanwhile are
    /// acknowledged: there is nothing left to handle.
    /// </summary>
    public async Task<ReclaimBatch> ReclaimAsync(TimeSpan minIdle, int count, string cursor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var claimed = await shared.StreamAutoClaimAsync(stream, group, consumer, (long)minIdle.TotalMilliseconds, cursor, count);
        if (claimed.DeletedIds.Length > 0)
        {
            await shared.StreamAcknowledgeAsync(stream, group, claimed.DeletedIds);
        }

        var next = (string?)claimed.NextStartId is { Length: > 0 } id ? id : SweepDone;
        var entries = claimed.ClaimedEntries.Where(e => !e.IsNull).ToList();
        if (entries.Count == 0)
        {
            return new ReclaimBatch([], next);
        }

        var pending = await shared.StreamPendingMessagesAsync(stream, group, entries.Count, consumer, entries[0].Id, entries[^1].Id);
        var deliveries = pending.ToDictionary(p => (string)p.MessageId!, p => (long)p.DeliveryCount, StringComparer.Ordinal);
        return new ReclaimBatch(entries.Select(e => new ConsumedEntry((string)e.Id!, e.Values, deliveries.GetValueOrDefault((string)e.Id!, 1))).ToList(), next);
    }

    /// <summary>One <c>XACK</c> for all of <paramref name="ids"/>, pipelined with forgetting their last errors.</summary>
    public async Task AcknowledgeAsync(IReadOnlyCollection<string> ids)
    {
        RedisValue[] values = [.. ids.Select(id => (RedisValue)id)];
        var batch = shared.CreateBatch();
        var ack = batch.StreamAcknowledgeAsync(stream, group, values);
        var forget = batch.HashDeleteAsync(ErrorsKey, values);
        batch.Execute();
        await Task.WhenAll(ack, forget);
    }

    /// <summary>Remembers why handling failed, for the dead-letter entry if it keeps failing.</summary>
    public Task RememberErrorAsync(string id, string error) => shared.HashSetAsync(ErrorsKey, id, error);

    public async Task<string?> LastErrorAsync(string id) => await shared.HashGetAsync(ErrorsKey, id);

    /// <summary>Copies the entry's fields to the dead-letter stream with the reason and delivery count, and acknowledges it.</summary>
    public Task DeadLetterAsync(ConsumedEntry entry, string reason)
    {
        var arguments = new List<RedisValue> { group, entry.Id };
        foreach (var field in entry.Fields)
        {
            arguments.Add(field.Name);
            arguments.Add(field.Value);
        }

        arguments.AddRange(
        [
            "error", reason,
            "deliveries", entry.Deliveries,
            "source_stream", stream,
            "source_group", group,
            "source_id", entry.Id,
            "consumer", consumer,
        ]);
        return shared.ScriptEvaluateAsync(DeadLetterScript, [stream, DeadLetterStream, ErrorsKey], [.. arguments]);
    }

    /// <summary>Deletes <paramref name="name"/> from the group if nothing is pending for it and it was idle at least <paramref name="minIdle"/>.</summary>
    public async Task<bool> DeleteConsumerIfIdleAsync(string name, TimeSpan minIdle) =>
        (long)await shared.ScriptEvaluateAsync(
            DeleteIdleConsumerScript, [stream], [group, name, (long)minIdle.TotalMilliseconds]) >= 0;

    /// <summary>Records that this consumer is leaving the group, so no other leaving consumer hands its entries to it; the record lasts <paramref name="window"/>.</summary>
    public async Task MarkLeavingAsync(TimeSpan window)
    {
        var batch = shared.CreateBatch();
        var add = batch.SortedSetAddAsync(LeavingKey, consumer, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var expire = batch.KeyExpireAsync(LeavingKey, window);
        batch.Execute();
        await Task.WhenAll(add, expire);
    }

    /// <summary>
    /// Passes every entry pending under this consumer to the most recently active other consumer
    /// idle less than <paramref name="liveWithin"/> and not leaving, or keeps them here if there is
    /// none; sets their idle time to <paramref name="reclaimAfter"/> so they are reclaimed at once.
    /// </summary>
    public async Task<HandOff> HandOffPendingAsync(TimeSpan liveWithin, TimeSpan reclaimAfter, TimeSpan leavingWindow)
    {
        var reply = (RedisResult[])(await shared.ScriptEvaluateAsync(
            HandOffScript,
            [stream, LeavingKey],
            [group, consumer, (long)liveWithin.TotalMilliseconds, (long)reclaimAfter.TotalMilliseconds, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), (long)leavingWindow.TotalMilliseconds]))!;
        var target = (string)reply[1]!;
        return new HandOff((int)reply[0], target, Kept: target == consumer);
    }

    public async Task<IReadOnlyList<string>> IdleConsumersAsync(TimeSpan minIdle)
    {
        var consumers = await shared.StreamConsumerInfoAsync(stream, group);
        return consumers
            .Where(c => c.Name != consumer && c.PendingMessageCount == 0 && c.IdleTimeInMilliseconds >= minIdle.TotalMilliseconds)
            .Select(c => c.Name)
            .ToList();
    }

    /// <summary>The group's lag (entries not yet delivered; -1 when Redis cannot tell) and pending count.</summary>
    public async Task<(long Lag, long Pending)> BacklogAsync()
    {
        var reply = await shared.ExecuteAsync("XINFO", "GROUPS", stream);
        foreach (var info in (RedisResult[])reply!)
        {
            var fields = (RedisResult[])info!;
            var byName = new Dictionary<string, RedisResult>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                byName[(string)fields[i]!] = fields[i + 1];
            }

            if ((string?)byName.GetValueOrDefault("name") == group)
            {
                var lag = byName.GetValueOrDefault("lag");
                return (lag is null || lag.IsNull ? -1 : (long)lag, (long)byName["pending"]);
            }
        }

        return (-1, 0);
    }
}

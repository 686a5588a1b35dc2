using System.Globalization;
using Npgsql;
using Serverless.Consumers.Handlers;
using Serverless.Platform.Correlation;
using Serverless.Platform.Messaging;
using Serverless.Platform.Postgres;

namespace Serverless.Consumers.Consuming;

public enum DeliveryOutcome
{
    /// <summary>The effect is committed now.</summary>
    Applied,

    /// <summary>The inbox already had this event id: nothing applied again (post-commit effects re-run).</summary>
    Duplicate,

    /// <summary>A CloudEvent that is not the handler's business (an ordinary Dapr app's event, say): acknowledged, nothing applied.</summary>
    Ignored,

    /// <summary>Not a CloudEvent at all, or the handler refused it: never retry.</summary>
    Malformed,

    /// <summary>Its <c>expiration</c> is past: not handled, as Dapr drops it (to the dead-letter topic when there is one, platform-semantics §7.5).</summary>
    Expired,

    /// <summary>The handler failed (or ran out of time): retry later.</summary>
    Failed,
}

public sealed record DeliveryResult(DeliveryOutcome Outcome, string? EventType = null, string? Reason = null);

/// <summary>One delivery's bytes: the CloudEvent and the stream entry's <c>metadata</c> field (null when it has none).</summary>
public sealed record Delivery(ReadOnlyMemory<byte> Payload, byte[]? Metadata);

/// <summary>What reading a delivery gave: the final <see cref="Result"/> (nothing to apply) or the <see cref="Event"/> to apply.</summary>
internal sealed record Screened(DeliveryResult? Result, HandledEvent? Event);

/// <summary>
/// One delivery, whatever brought it (a stream entry or Dapr's push): read the CloudEvent (any
/// CloudEvent 1.0, with the entry's publish metadata), let the handler pick its data, and apply it inside a PostgreSQL transaction that first records the event id in
/// the group's idempotency inbox — a redelivery finds the row and applies nothing twice.
/// </summary>
public sealed partial class EventPipeline(
    IConsumerHandler handler, PostgresDatabase database, PostgresSchema schema, TimeProvider clock, ILogger<EventPipeline> logger)
{
    public static PostgresMigration InboxMigration { get; } = new("consumer_inbox", """
        CREATE TABLE IF NOT EXISTS consumer_inbox (
            consumer_group text NOT NULL,
            event_id       text NOT NULL,
            event_type     text NOT NULL,
            processed_at   timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer_group, event_id)
        );
        CREATE INDEX IF NOT EXISTS consumer_inbox_age ON consumer_inbox (consumer_group, processed_at)
        """);

    /// <summary>Whether the handler applies whole batches (<see cref="ProcessBatchAsync"/>); otherwise each event goes through <see cref="ProcessAsync"/>.</summary>
    public bool HandlesBatches => handler is IBatchConsumerHandler;

    /// <summary>Handles one event: <paramref name="payload"/> is the CloudEvent, <paramref name="metadata"/> the stream entry's <c>metadata</c> field (null when it has none).</summary>
    public async Task<DeliveryResult> ProcessAsync(ReadOnlyMemory<byte> payload, byte[]? metadata, string group, CancellationToken cancellationToken)
    {
        var screened = Screen(new Delivery(payload, metadata));
        return screened.Event is { } accepted ? await ApplyOneAsync(accepted, group, cancellationToken) : screened.Result!;
    }

    /// <summary>
    /// Handles a read batch with a batch-capable handler: one transaction records every accepted
    /// event in the inbox (set-based: ids already there are duplicates) and applies the new ones
    /// set-based, then the after-commit effects run for all of them. When any of that fails, each
    /// accepted event is handled on its own (<see cref="ProcessAsync"/>), so only a failing one
    /// fails. Results are in the order of <paramref name="deliveries"/>.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryResult>> ProcessBatchAsync(IReadOnlyList<Delivery> deliveries, string group, CancellationToken cancellationToken)
    {
        var batchHandler = handler as IBatchConsumerHandler ?? throw new InvalidOperationException($"{handler.GetType().Name} handles events one by one");
        var screened = deliveries.Select(Screen).ToList();
        var accepted = screened.Where(s => s.Event is not null).Select(s => s.Event!).ToList();
        var results = screened.Select(s => s.Result).ToArray();
        if (accepted.Count == 0)
        {
            return results!;
        }

        if (accepted.Count == 1)
        {
            // Nothing to gain from the set-based path, and a failure would only be tried twice.
            var single = screened.FindIndex(s => s.Event is not null);
            results[single] = await ApplyOneAsync(accepted[0], group, cancellationToken);
            return results!;
        }

        IReadOnlyList<DeliveryOutcome> outcomes;
        try
        {
            outcomes = await ApplyBatchOnceAsync(batchHandler, accepted, group, cancellationToken);
            await batchHandler.AfterCommitBatchAsync(accepted, cancellationToken);
        }
        catch (Exception e)
        {
            LogBatchFailed(accepted.Count, e.Message);
            outcomes = [];
        }

        for (int i = 0, next = 0; i < results.Length; i++)
        {
            if (screened[i].Event is { } handled)
            {
                results[i] = outcomes.Count > 0
                    ? new DeliveryResult(outcomes[next], handled.Received.Event.Type)
                    : await ApplyOneAsync(handled, group, cancellationToken);
                next++;
            }
        }

        return results!;
    }

    /// <summary>Reads the event and lets the handler pick its data: the event to apply, or the final result when there is nothing to apply.</summary>
    private Screened Screen(Delivery delivery)
    {
        if (!CloudEventReader.TryReadEntry(delivery.Payload.Span, delivery.Metadata, out var received, out var problem))
        {
            return new Screened(new DeliveryResult(DeliveryOutcome.Malformed, Reason: problem), null);
        }

        var cloudEvent = received!.Event;
        if (received.MetadataProblem is { } metadataProblem)
        {
            LogUnreadableMetadata(cloudEvent.Type, cloudEvent.Id, metadataProblem);
        }

        if (ExpiredAt(cloudEvent) is { } expiration && expiration <= clock.GetUtcNow())
        {
            return new Screened(new DeliveryResult(DeliveryOutcome.Expired, cloudEvent.Type, $"event {cloudEvent.Id} ({cloudEvent.Type}) expired at {cloudEvent.Expiration}: not handled, as Dapr drops expired events"), null);
        }

        object? data;
        try
        {
            data = handler.Parse(received);
        }
        catch (MalformedEventException e)
        {
            return new Screened(new DeliveryResult(DeliveryOutcome.Malformed, cloudEvent.Type, e.Message), null);
        }

        return data is null
            ? new Screened(new DeliveryResult(DeliveryOutcome.Ignored, cloudEvent.Type), null)
            : new Screened(null, new HandledEvent(received, data));
    }

    private async Task<DeliveryResult> ApplyOneAsync(HandledEvent accepted, string group, CancellationToken cancellationToken)
    {
        var (received, data) = accepted;
        var cloudEvent = received.Event;
        var previous = CorrelationId.Current;
        CorrelationId.Current = CorrelationId.IsAcceptable(cloudEvent.CorrelationId) ? cloudEvent.CorrelationId : null;
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            [CorrelationId.LogProperty] = CorrelationId.Current,
            ["EventId"] = cloudEvent.Id,
            ["EventType"] = cloudEvent.Type,
        });
        try
        {
            var applied = await ApplyOnceAsync(received, data, group, cancellationToken);
            await handler.AfterCommitAsync(received, data, cancellationToken);
            return new DeliveryResult(applied ? DeliveryOutcome.Applied : DeliveryOutcome.Duplicate, cloudEvent.Type);
        }
        catch (Exception e)
        {
            LogFailed(cloudEvent.Type, cloudEvent.Id, e.Message);
            return new DeliveryResult(DeliveryOutcome.Failed, cloudEvent.Type, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            CorrelationId.Current = previous;
        }
    }

    /// <summary>Deletes inbox rows older than <paramref name="retention"/>; returns how many.</summary>
    public async Task<int> TrimInboxAsync(string group, TimeSpan retention, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM consumer_inbox WHERE consumer_group = @group AND processed_at < now() - @retention", connection);
        command.Parameters.AddWithValue("group", group);
        command.Parameters.AddWithValue("retention", retention);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The event's <c>expiration</c> (RFC 3339); null when it has none or it does not parse, which Dapr does not drop either.</summary>
    private static DateTimeOffset? ExpiredAt(CloudEvent cloudEvent) =>
        DateTimeOffset.TryParse(cloudEvent.Expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration) ? expiration : null;

    private async Task<bool> ApplyOnceAsync(ReceivedEvent received, object data, string group, CancellationToken cancellationToken)
    {
        var cloudEvent = received.Event;
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var inbox = new NpgsqlCommand(
                         "INSERT INTO consumer_inbox (consumer_group, event_id, event_type) VALUES (@group, @id, @type) ON CONFLICT DO NOTHING",
                         connection,
                         transaction))
        {
            inbox.Parameters.AddWithValue("group", group);
            inbox.Parameters.AddWithValue("id", cloudEvent.Id);
            inbox.Parameters.AddWithValue("type", cloudEvent.Type);
            if (await inbox.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }

        await handler.ApplyAsync(received, data, connection, transaction, cancellationToken);
        // The commit itself must not be abandoned half-way by a drain deadline: once sent, wait for its answer.
        await transaction.CommitAsync(CancellationToken.None);
        return true;
    }

    /// <summary>
    /// Records <paramref name="accepted"/> in the inbox in one statement and applies the events it
    /// had not seen (the first of repeated ids within the batch) in the same transaction; returns
    /// each event's outcome, Applied or Duplicate.
    /// </summary>
    private async Task<IReadOnlyList<DeliveryOutcome>> ApplyBatchOnceAsync(IBatchConsumerHandler batchHandler, IReadOnlyList<HandledEvent> accepted, string group, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await using (var inbox = new NpgsqlCommand(
                         """
                         INSERT INTO consumer_inbox (consumer_group, event_id, event_type)
                         SELECT @group, id, type FROM unnest(@ids, @types) AS batch(id, type)
                         ON CONFLICT DO NOTHING
                         RETURNING event_id
                         """,
                         connection,
                         transaction))
        {
            inbox.Parameters.AddWithValue("group", group);
            inbox.Parameters.AddWithValue("ids", accepted.Select(e => e.Received.Event.Id).ToArray());
            inbox.Parameters.AddWithValue("types", accepted.Select(e => e.Received.Event.Type).ToArray());
            await using var reader = await inbox.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded.Add(reader.GetString(0));
            }
        }

        // An id the statement recorded is new for its first entry only: a repeat is a duplicate of it.
        var outcomes = accepted.Select(e => recorded.Remove(e.Received.Event.Id) ? DeliveryOutcome.Applied : DeliveryOutcome.Duplicate).ToList();
        var fresh = accepted.Where((_, i) => outcomes[i] == DeliveryOutcome.Applied).ToList();
        if (fresh.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return outcomes;
        }

        await batchHandler.ApplyBatchAsync(fresh, connection, transaction, cancellationToken);
        // The commit itself must not be abandoned half-way by a drain deadline: once sent, wait for its answer.
        await transaction.CommitAsync(CancellationToken.None);
        return outcomes;
    }

    [LoggerMessage(5002, LogLevel.Warning, "Handling a batch of {Count} events failed, handling them one by one: {Error}")]
    private partial void LogBatchFailed(int count, string error);

    [LoggerMessage(5000, LogLevel.Warning, "Handling {EventType} {EventId} failed: {Error}")]
    private partial void LogFailed(string eventType, string eventId, string error);

    [LoggerMessage(5001, LogLevel.Warning, "{EventType} {EventId}: handled without its publish metadata: {Problem}")]
    private partial void LogUnreadableMetadata(string eventType, string eventId, string problem);
}

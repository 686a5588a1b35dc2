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

    /// <summary>Handles one event: <paramref name="payload"/> is the CloudEvent, <paramref name="metadata"/> the stream entry's <c>metadata</c> field (null when it has none).</summary>
    public async Task<DeliveryResult> ProcessAsync(ReadOnlyMemory<byte> payload, byte[]? metadata, string group, CancellationToken cancellationToken)
    {
        if (!CloudEventReader.TryReadEntry(payload.Span, metadata, out var received, out var problem))
        {
            return new DeliveryResult(DeliveryOutcome.Malformed, Reason: problem);
        }

        var cloudEvent = received!.Event;
        if (received.MetadataProblem is { } metadataProblem)
        {
            LogUnreadableMetadata(cloudEvent.Type, cloudEvent.Id, metadataProblem);
        }

        if (ExpiredAt(cloudEvent) is { } expiration && expiration <= clock.GetUtcNow())
        {
            return new DeliveryResult(DeliveryOutcome.Expired, cloudEvent.Type, $"event {cloudEvent.Id} ({cloudEvent.Type}) expired at {cloudEvent.Expiration}: not handled, as Dapr drops expired events");
        }

        object? data;
        try
        {
            data = handler.Parse(received);
        }
        catch (MalformedEventException e)
        {
            return new DeliveryResult(DeliveryOutcome.Malformed, cloudEvent.Type, e.Message);
        }

        if (data is null)
        {
            return new DeliveryResult(DeliveryOutcome.Ignored, cloudEvent.Type);
        }

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

    [LoggerMessage(5000, LogLevel.Warning, "Handling {EventType} {EventId} failed: {Error}")]
    private partial void LogFailed(string eventType, string eventId, string error);

    [LoggerMessage(5001, LogLevel.Warning, "{EventType} {EventId}: handled without its publish metadata: {Problem}")]
    private partial void LogUnreadableMetadata(string eventType, string eventId, string problem);
}

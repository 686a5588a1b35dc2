using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Serverless.Catalog;
using Serverless.Platform.Json;
using Serverless.Platform.Messaging;
using Serverless.Platform.Postgres;

namespace Serverless.Consumers.Handlers;

/// <summary>
/// The audit trail: one row per event the group consumed, ours or any other CloudEvent on the topic
/// (an ordinary Dapr app's included), with its attributes, its payload as bytes and the stream
/// entry's publish metadata. The table has no uniqueness of its own on purpose: that each event
/// appears once is the inbox's doing, and the crash tests and the drain benchmark count on exactly that.
/// </summary>
public sealed class AuditHandler : BatchConsumerHandler<ReceivedEvent>, IStreamHandler
{
    public static string HandlerName => StreamHandlers.Audit;

    public static void Register(IServiceCollection services, IConfiguration configuration, string group)
    {
        services.AddPostgresMigration(Migration);
        services.AddSingleton<IConsumerHandler>(_ => new AuditHandler(group));
    }

    // The payload and metadata columns came later: added to an older table in place, checked first,
    // because ALTER TABLE takes an exclusive lock even when there is nothing to add.
    public static PostgresMigration Migration { get; } = new("event_audit", """
        CREATE TABLE IF NOT EXISTS event_audit (
            id                bigserial PRIMARY KEY,
            consumer_group    text NOT NULL,
            event_id          text NOT NULL,
            event_type        text NOT NULL,
            source            text NOT NULL,
            subject           text,
            correlation_id    text,
            recorded_at       timestamptz NOT NULL DEFAULT now(),
            data_content_type text,
            data_kind         text,
            data              bytea,
            metadata          jsonb
        );
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                           WHERE table_schema = current_schema() AND table_name = 'event_audit' AND column_name = 'metadata') THEN
                ALTER TABLE event_audit
                    ADD COLUMN IF NOT EXISTS data_content_type text,
                    ADD COLUMN IF NOT EXISTS data_kind text,
                    ADD COLUMN IF NOT EXISTS data bytea,
                    ADD COLUMN IF NOT EXISTS metadata jsonb;
            END IF;
        END $$
        """);

    private readonly string group;

    public AuditHandler(string group) => this.group = group;

    protected override ReceivedEvent ParseData(ReceivedEvent received) => received;

    protected override async Task ApplyBatchAsync(IReadOnlyList<(ReceivedEvent Received, ReceivedEvent Data)> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var cloudEvents = events.Select(e => e.Received.Event).ToList();
        // WITH ORDINALITY and ORDER BY: the rows get their ids in stream order, as one by one.
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO event_audit (consumer_group, event_id, event_type, source, subject, correlation_id, data_content_type, data_kind, data, metadata)
            SELECT @group, id, type, source, subject, correlation, content_type, kind, data, metadata::jsonb
            FROM unnest(@ids, @types, @sources, @subjects, @correlations, @contentTypes, @kinds, @data, @metadata) WITH ORDINALITY
                AS batch(id, type, source, subject, correlation, content_type, kind, data, metadata, position)
            ORDER BY position
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("group", group);
        command.Parameters.AddWithValue("ids", cloudEvents.Select(e => e.Id).ToArray());
        command.Parameters.AddWithValue("types", cloudEvents.Select(e => e.Type).ToArray());
        command.Parameters.AddWithValue("sources", cloudEvents.Select(e => e.Source).ToArray());
        command.Parameters.AddWithValue("subjects", NpgsqlDbType.Array | NpgsqlDbType.Text, cloudEvents.Select(e => e.Subject).ToArray());
        command.Parameters.AddWithValue("correlations", NpgsqlDbType.Array | NpgsqlDbType.Text, cloudEvents.Select(e => e.CorrelationId).ToArray());
        command.Parameters.AddWithValue("contentTypes", NpgsqlDbType.Array | NpgsqlDbType.Text, cloudEvents.Select(e => e.DataContentType).ToArray());
        command.Parameters.AddWithValue("kinds", cloudEvents.Select(e => e.DataKind.ToString().ToLowerInvariant()).ToArray());
        command.Parameters.AddWithValue("data", NpgsqlDbType.Array | NpgsqlDbType.Bytea, cloudEvents.Select(e => e.DataBytes()).ToArray());
        command.Parameters.AddWithValue("metadata", NpgsqlDbType.Array | NpgsqlDbType.Text, events.Select(e => JsonSerializer.Serialize(e.Received.Metadata, WireJson.Options)).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

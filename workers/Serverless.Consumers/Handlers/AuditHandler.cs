using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
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
public sealed class AuditHandler : ConsumerHandler<ReceivedEvent>
{
    public const string Name = "audit";

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

    protected override async Task ApplyAsync(ReceivedEvent received, ReceivedEvent data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var cloudEvent = received.Event;
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO event_audit (consumer_group, event_id, event_type, source, subject, correlation_id, data_content_type, data_kind, data, metadata)
            VALUES (@group, @id, @type, @source, @subject, @correlation, @contentType, @kind, @data, @metadata)
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("group", group);
        command.Parameters.AddWithValue("id", cloudEvent.Id);
        command.Parameters.AddWithValue("type", cloudEvent.Type);
        command.Parameters.AddWithValue("source", cloudEvent.Source);
        command.Parameters.AddWithValue("subject", (object?)cloudEvent.Subject ?? DBNull.Value);
        command.Parameters.AddWithValue("correlation", (object?)cloudEvent.CorrelationId ?? DBNull.Value);
        command.Parameters.AddWithValue("contentType", (object?)cloudEvent.DataContentType ?? DBNull.Value);
        command.Parameters.AddWithValue("kind", cloudEvent.DataKind.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("data", cloudEvent.DataBytes());
        command.Parameters.AddWithValue("metadata", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(received.Metadata, WireJson.Options));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

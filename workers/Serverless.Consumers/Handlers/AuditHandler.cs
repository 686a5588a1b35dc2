using Npgsql;
using Serverless.Orders.Events;
using Serverless.Platform.Messaging;
using Serverless.Platform.Postgres;

namespace Serverless.Consumers.Handlers;

/// <summary>
/// The audit trail: one row per event the group consumed, with its CloudEvent attributes. The table
/// has no uniqueness of its own on purpose: that each event appears once is the inbox's doing, and
/// the crash tests and the drain benchmark count on exactly that.
/// </summary>
public sealed class AuditHandler : ConsumerHandler<CloudEvent>
{
    public const string Name = "audit";

    public static PostgresMigration Migration { get; } = new("event_audit", """
        CREATE TABLE IF NOT EXISTS event_audit (
            id             bigserial PRIMARY KEY,
            consumer_group text NOT NULL,
            event_id       text NOT NULL,
            event_type     text NOT NULL,
            source         text NOT NULL,
            subject        text,
            correlation_id text,
            recorded_at    timestamptz NOT NULL DEFAULT now()
        )
        """);

    private readonly string group;

    public AuditHandler(string group) => this.group = group;

    public override IReadOnlySet<string> EventTypes => OrderEventTypes.All;

    protected override CloudEvent ParseData(CloudEvent cloudEvent) => cloudEvent;

    protected override async Task ApplyAsync(CloudEvent cloudEvent, CloudEvent data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO event_audit (consumer_group, event_id, event_type, source, subject, correlation_id) VALUES (@group, @id, @type, @source, @subject, @correlation)",
            connection,
            transaction);
        command.Parameters.AddWithValue("group", group);
        command.Parameters.AddWithValue("id", cloudEvent.Id);
        command.Parameters.AddWithValue("type", cloudEvent.Type);
        command.Parameters.AddWithValue("source", cloudEvent.Source);
        command.Parameters.AddWithValue("subject", (object?)cloudEvent.Subject ?? DBNull.Value);
        command.Parameters.AddWithValue("correlation", (object?)cloudEvent.CorrelationId ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Serverless.Orders.Contracts;
using Serverless.Platform.Json;
using Serverless.Platform.Postgres;

namespace Serverless.Orders.Outbox;

/// <summary>
/// The <c>order_outbox</c> table: orders accepted while Temporal was unreachable, durable in the
/// system of record until the relay has started their workflow. Every write is one statement, and
/// the order id is the key, so a retried accept, a cancel and any number of relays racing each
/// other leave one row that only moves forward (<see cref="OutboxState"/>).
/// </summary>
public sealed class OrderOutbox(PostgresDatabase database, PostgresSchema schema)
{
    public static PostgresMigration Migration { get; } = new("order_outbox", """
        CREATE TABLE IF NOT EXISTS order_outbox (
            order_id        text PRIMARY KEY,
            idempotency_key text NOT NULL,
            fingerprint     text NOT NULL,
            input           jsonb NOT NULL,
            correlation_id  text,
            environment     text NOT NULL,
            accepted_at     timestamptz NOT NULL,
            state           text NOT NULL DEFAULT 'queued',
            attempts        integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL,
            started_at      timestamptz,
            cancel_reason   text,
            last_error      text
        );
        CREATE INDEX IF NOT EXISTS order_outbox_queued ON order_outbox (next_attempt_at) WHERE state = 'queued'
        """);

    /// <summary>
    /// What the push scaler counts as work of the orders pool (one row per order not yet started), in
    /// the environment's schema. Served by the partial index <c>order_outbox_queued</c>.
    /// </summary>
    public const string QueuedCountSql = "SELECT count(*) FROM order_outbox WHERE state = 'queued'";

    // A concurrent first insert commits after this statement's snapshot: DO NOTHING then sees the row
    // but the read-back cannot. The next statement sees it, so the read is retried (never the write).
    private const int ReadBackAttempts = 3;

    /// <summary>
    /// Writes <paramref name="order"/> unless a row for its order id exists, in one statement, and
    /// answers what is there now: the new row, or the existing one with whether it is the same order.
    /// A new row is due for the relay after <paramref name="relayAfter"/>.
    /// </summary>
    public async Task<OutboxEnqueue> EnqueueAsync(OutboxOrder order, TimeSpan relayAfter, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            await using var command = new NpgsqlCommand(
                """
                WITH inserted AS (
                    INSERT INTO order_outbox (order_id, idempotency_key, fingerprint, input, correlation_id, environment, accepted_at, next_attempt_at)
                    VALUES (@id, @key, @fingerprint, @input, @correlation, @environment, clock_timestamp(), clock_timestamp() + @relay_after)
                    ON CONFLICT (order_id) DO NOTHING
                    RETURNING fingerprint, state)
                SELECT true, fingerprint, state FROM inserted
                UNION ALL
                SELECT false, fingerprint, state FROM order_outbox WHERE order_id = @id AND NOT EXISTS (SELECT 1 FROM inserted)
                """,
                connection);
            command.Parameters.AddWithValue("id", order.Input.OrderId);
            command.Parameters.AddWithValue("key", order.IdempotencyKey);
            command.Parameters.AddWithValue("fingerprint", order.Fingerprint);
            command.Parameters.AddWithValue("input", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(order.Input, WireJson.Options));
            command.Parameters.AddWithValue("correlation", (object?)order.CorrelationId ?? DBNull.Value);
            command.Parameters.AddWithValue("environment", order.Environment);
            command.Parameters.AddWithValue("relay_after", relayAfter);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new OutboxEnqueue(
                    reader.GetBoolean(0),
                    string.Equals(reader.GetString(1), order.Fingerprint, StringComparison.Ordinal),
                    ParseState(reader.GetString(2)));
            }

            if (attempt == ReadBackAttempts)
            {
                throw new InvalidOperationException($"Outbox row of order {order.Input.OrderId} neither inserted nor readable after {attempt} attempts.");
            }
        }
    }

    /// <summary>The order's row, or null when the outbox never held it.</summary>
    public async Task<OutboxEntry?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT fingerprint, state, cancel_reason, accepted_at FROM order_outbox WHERE order_id = @id", connection);
        command.Parameters.AddWithValue("id", orderId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new OutboxEntry(orderId, reader.GetString(0), ParseState(reader.GetString(1)), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    /// <summary>Moves a queued row to <paramref name="state"/> (started, or conflict) after its workflow start was answered; a row no longer queued is left alone.</summary>
    public async Task MarkAsync(string orderId, OutboxState state, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            UPDATE order_outbox SET state = @state, started_at = CASE WHEN @state = 'started' THEN clock_timestamp() END
            WHERE order_id = @id AND state = 'queued'
            """,
            connection);
        command.Parameters.AddWithValue("id", orderId);
        command.Parameters.AddWithValue("state", state switch
        {
            OutboxState.Started => "started",
            OutboxState.Conflict => "conflict",
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Only a started or conflicting order is marked."),
        });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Cancels the order if it is still queued. A relay holding the row waits the cancel out (row
    /// lock); when it has started the workflow meanwhile the answer is <see cref="OutboxCancel.NotQueued"/>.
    /// </summary>
    public async Task<OutboxCancel> CancelQueuedAsync(string orderId, string? reason, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            WITH cancelled AS (
                UPDATE order_outbox SET state = 'cancelled', cancel_reason = @reason
                WHERE order_id = @id AND state = 'queued'
                RETURNING 'cancelled-now'::text AS outcome)
            SELECT outcome FROM cancelled
            UNION ALL
            SELECT state FROM order_outbox WHERE order_id = @id AND NOT EXISTS (SELECT 1 FROM cancelled)
            """,
            connection);
        command.Parameters.AddWithValue("id", orderId);
        command.Parameters.AddWithValue("reason", (object?)reason ?? DBNull.Value);
        // 'queued' read back means a relay moved the row on after this statement's snapshot: it is started now.
        return await command.ExecuteScalarAsync(cancellationToken) switch
        {
            "cancelled-now" => OutboxCancel.CancelledNow,
            "cancelled" => OutboxCancel.AlreadyCancelled,
            _ => OutboxCancel.NotQueued,
        };
    }

    /// <summary>
    /// Locks up to <paramref name="batchSize"/> queued rows that are due, skipping rows another relay
    /// holds. The locks last until the claim is completed or disposed (or its connection dies, as when
    /// the process is killed): an unfinished claim leaves every row queued.
    /// </summary>
    public async Task<OutboxClaim> ClaimAsync(string environment, int batchSize, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        var connection = await database.OpenAsync(cancellationToken);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                """
                SELECT input, correlation_id, attempts FROM order_outbox
                WHERE state = 'queued' AND next_attempt_at <= clock_timestamp() AND environment = @environment
                ORDER BY next_attempt_at
                LIMIT @batch
                FOR UPDATE SKIP LOCKED
                """,
                connection,
                transaction);
            command.Parameters.AddWithValue("environment", environment);
            command.Parameters.AddWithValue("batch", batchSize);
            var orders = new List<ClaimedOrder>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var input = JsonSerializer.Deserialize<OrderInput>(reader.GetString(0), WireJson.Options)
                                ?? throw new InvalidOperationException("Outbox row with an empty input.");
                    orders.Add(new ClaimedOrder(input, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2)));
                }
            }

            return new OutboxClaim(connection, transaction, orders);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Rows still queued: what the push scaler counts as the orders pool's work (<see cref="QueuedCountSql"/>).</summary>
    public async Task<long> CountQueuedAsync(CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(QueuedCountSql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Deletes up to <paramref name="limit"/> finished rows (started, cancelled, conflict) accepted
    /// more than <paramref name="retention"/> ago; the number deleted. A key older than that is
    /// answered by Temporal's fingerprint memo alone, as before the outbox.
    /// </summary>
    public async Task<int> PurgeFinishedAsync(TimeSpan retention, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            DELETE FROM order_outbox WHERE order_id IN (
                SELECT order_id FROM order_outbox
                WHERE state <> 'queued' AND accepted_at < clock_timestamp() - @retention
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            """,
            connection);
        command.Parameters.AddWithValue("retention", retention);
        command.Parameters.AddWithValue("limit", limit);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Rows still queued and the age of the oldest, for the relay's metrics.</summary>
    public async Task<OutboxBacklog> BacklogAsync(CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(accepted_at)), 0)::float8 FROM order_outbox WHERE state = 'queued'",
            connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new OutboxBacklog(reader.GetInt64(0), TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(1))));
    }

    private static OutboxState ParseState(string state) => state switch
    {
        "queued" => OutboxState.Queued,
        "started" => OutboxState.Started,
        "cancelled" => OutboxState.Cancelled,
        "conflict" => OutboxState.Conflict,
        _ => throw new InvalidOperationException($"Unknown outbox state '{state}'."),
    };
}

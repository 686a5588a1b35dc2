using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Serverless.Orders.Contracts;
using Serverless.Orders.Events;
using Serverless.Platform.Json;
using Serverless.Platform.Postgres;

namespace Serverless.Orders.ReadModel;

/// <summary>
/// The <c>orders</c> table: the system of record of the read model. A row only moves forward: an
/// older snapshot (lower sequence) never overwrites a newer one, whatever order events arrive in.
/// </summary>
public sealed class OrderRecords(PostgresDatabase database, PostgresSchema schema)
{
    public static PostgresMigration Migration { get; } = new("orders", """
        CREATE TABLE IF NOT EXISTS orders (
            order_id     text PRIMARY KEY,
            customer_id  text NOT NULL,
            status       text NOT NULL,
            total_amount numeric NOT NULL,
            currency     text NOT NULL,
            reason       text,
            steps        jsonb NOT NULL,
            sequence     integer NOT NULL,
            updated_at   timestamptz NOT NULL
        )
        """);

    private const string Columns = "order_id, customer_id, status, total_amount, currency, reason, steps, sequence, updated_at";

    /// <summary>
    /// Writes each order's newest snapshot of <paramref name="snapshots"/> in one statement, unless
    /// the row already holds a newer one; of equal sequences the first wins, as when written one by
    /// one in that order. Returns how many rows it wrote.
    /// </summary>
    public static async Task<int> UpsertAsync(IReadOnlyList<OrderSnapshot> snapshots, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // ON CONFLICT DO UPDATE may touch a row once per statement: one snapshot per order goes in.
        var newest = NewestPerOrder(snapshots);
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO orders ({Columns})
            SELECT id, customer, status, total, currency, reason, steps::jsonb, sequence, updated
            FROM unnest(@ids, @customers, @statuses, @totals, @currencies, @reasons, @steps, @sequences, @updated)
                AS batch(id, customer, status, total, currency, reason, steps, sequence, updated)
            ON CONFLICT (order_id) DO UPDATE SET
                customer_id = excluded.customer_id, status = excluded.status, total_amount = excluded.total_amount,
                currency = excluded.currency, reason = excluded.reason, steps = excluded.steps,
                sequence = excluded.sequence, updated_at = excluded.updated_at
            WHERE orders.sequence < excluded.sequence
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("ids", newest.Select(s => s.OrderId).ToArray());
        command.Parameters.AddWithValue("customers", newest.Select(s => s.CustomerId).ToArray());
        command.Parameters.AddWithValue("statuses", newest.Select(s => s.Status.ToString()).ToArray());
        command.Parameters.AddWithValue("totals", newest.Select(s => s.TotalAmount).ToArray());
        command.Parameters.AddWithValue("currencies", newest.Select(s => s.Currency).ToArray());
        command.Parameters.AddWithValue("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text, newest.Select(s => s.Reason).ToArray());
        command.Parameters.AddWithValue("steps", NpgsqlDbType.Array | NpgsqlDbType.Text, newest.Select(s => JsonSerializer.Serialize(s.Steps, WireJson.Options)).ToArray());
        command.Parameters.AddWithValue("sequences", newest.Select(s => s.Sequence).ToArray());
        command.Parameters.AddWithValue("updated", newest.Select(s => s.OccurredAt).ToArray());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The snapshot with the highest sequence of each order (the first of equal ones).</summary>
    public static List<OrderSnapshot> NewestPerOrder(IEnumerable<OrderSnapshot> snapshots)
    {
        var newest = new Dictionary<string, OrderSnapshot>(StringComparer.Ordinal);
        foreach (var snapshot in snapshots)
        {
            if (!newest.TryGetValue(snapshot.OrderId, out var kept) || kept.Sequence < snapshot.Sequence)
            {
                newest[snapshot.OrderId] = snapshot;
            }
        }

        return [.. newest.Values];
    }

    public async Task<OrderSnapshot?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        var page = await QueryAsync("WHERE order_id = @after", orderId, 1, cancellationToken);
        return page.Count == 0 ? null : page[0];
    }

    /// <summary>Orders after <paramref name="afterOrderId"/> in id order: a full scan that tolerates concurrent writes.</summary>
    public Task<IReadOnlyList<OrderSnapshot>> PageAsync(string afterOrderId, int size, CancellationToken cancellationToken) =>
        QueryAsync("WHERE order_id > @after ORDER BY order_id", afterOrderId, size, cancellationToken);

    private async Task<IReadOnlyList<OrderSnapshot>> QueryAsync(string condition, string after, int limit, CancellationToken cancellationToken)
    {
        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM orders {condition} LIMIT @limit", connection);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<OrderSnapshot>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new OrderSnapshot(
                reader.GetString(0),
                reader.GetString(1),
                Enum.Parse<OrderStatus>(reader.GetString(2)),
                reader.GetDecimal(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                JsonSerializer.Deserialize<List<OrderStep>>(reader.GetString(6), WireJson.Options) ?? [],
                reader.GetInt32(7),
                reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return rows;
    }
}

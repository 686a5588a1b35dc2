using Npgsql;

namespace Serverless.Orders.Outbox;

/// <summary>How the start of one claimed order ended.</summary>
public enum StartOutcome
{
    /// <summary>The workflow exists for this order (started now, or found started for the same order).</summary>
    Started,

    /// <summary>A workflow with this id exists for another order.</summary>
    Conflict,

    /// <summary>Temporal did not take the start (unreachable, timed out): retry after a backoff.</summary>
    Failed,
}

/// <summary>The result of starting one claimed order; <paramref name="Error"/> says why it failed or conflicts.</summary>
public sealed record ClaimedStart(string OrderId, StartOutcome Outcome, string? Error = null);

/// <summary>
/// Rows locked by one relay (<c>FOR UPDATE SKIP LOCKED</c>) until <see cref="CompleteAsync"/>
/// commits their outcomes in one transaction. Disposing without completing rolls back: the rows
/// stay queued, and a workflow started meanwhile is found already started on the next claim.
/// </summary>
public sealed class OutboxClaim(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<ClaimedOrder> orders) : IAsyncDisposable
{
    public IReadOnlyList<ClaimedOrder> Orders { get; } = orders;

    /// <summary>
    /// Marks started and conflicting rows final, and moves each failed row's next attempt out by
    /// <paramref name="retryBase"/> doubled per earlier attempt, at most <paramref name="retryMax"/>.
    /// </summary>
    public async Task CompleteAsync(IReadOnlyList<ClaimedStart> starts, TimeSpan retryBase, TimeSpan retryMax, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE order_outbox AS o SET
                attempts = o.attempts + 1,
                state = CASE s.outcome WHEN 'started' THEN 'started' WHEN 'conflict' THEN 'conflict' ELSE 'queued' END,
                started_at = CASE s.outcome WHEN 'started' THEN clock_timestamp() ELSE o.started_at END,
                next_attempt_at = CASE s.outcome WHEN 'failed'
                    THEN clock_timestamp() + make_interval(secs => least(@max_seconds, @base_seconds * power(2, least(o.attempts, 30))))
                    ELSE o.next_attempt_at END,
                last_error = s.error
            FROM unnest(@ids, @outcomes, @errors) AS s(order_id, outcome, error)
            WHERE o.order_id = s.order_id AND o.state = 'queued'
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("ids", starts.Select(s => s.OrderId).ToArray());
        command.Parameters.AddWithValue("outcomes", starts.Select(s => s.Outcome.ToString().ToLowerInvariant()).ToArray());
        command.Parameters.AddWithValue("errors", starts.Select(s => s.Error).ToArray());
        command.Parameters.AddWithValue("base_seconds", retryBase.TotalSeconds);
        command.Parameters.AddWithValue("max_seconds", retryMax.TotalSeconds);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}

using Microsoft.Extensions.Options;
using Npgsql;
using Serverless.Orders.Contracts;
using Serverless.Orders.Outbox;
using Serverless.Orders.Workflows;
using Serverless.Platform.Postgres;

namespace Serverless.Outbox.RelayHost;

/// <summary>Faults of the recording seam (section <c>Seam</c>).</summary>
public sealed class RecordingStarterOptions
{
    public const string Section = "Seam";

    /// <summary>Share of starts refused as an unreachable Temporal would (0 to 1).</summary>
    public double RefusalRate { get; set; }

    /// <summary>Each start waits a random time up to this before it is recorded, so a kill can land mid-start.</summary>
    public TimeSpan MaxDelay { get; set; }
}

/// <summary>Temporal as the seam sees it: refused while unreachable, as when the server is down.</summary>
public sealed class SeamUnavailableException(string message) : Exception(message);

/// <summary>
/// A workflow engine made of two PostgreSQL tables, with Temporal's guarantee that one workflow id
/// starts once (a second start is <see cref="WorkflowStartResult.AlreadyStarted"/>, or
/// <see cref="WorkflowStartResult.AlreadyStartedForOtherOrder"/> for another fingerprint). Every call
/// that reached it is recorded in <c>seam_calls</c> with its outcome in the same statement that
/// decides it, so the tests can count the starts each workflow id received, across processes and kills.
/// </summary>
public sealed class RecordingStarter(PostgresDatabase database, PostgresSchema schema, IOptions<RecordingStarterOptions> options) : IOrderWorkflowStarter
{
    public static PostgresMigration Migration { get; } = new("relay_seam", """
        CREATE TABLE IF NOT EXISTS seam_workflows (workflow_id text PRIMARY KEY, fingerprint text NOT NULL);
        CREATE TABLE IF NOT EXISTS seam_calls (workflow_id text NOT NULL, outcome text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())
        """);

    public async Task<WorkflowStartResult> StartAsync(OrderInput input, CancellationToken cancellationToken)
    {
        if (options.Value.MaxDelay > TimeSpan.Zero)
        {
            await Task.Delay(Random.Shared.NextDouble() * options.Value.MaxDelay, cancellationToken);
        }

        if (Random.Shared.NextDouble() < options.Value.RefusalRate)
        {
            throw new SeamUnavailableException("connection refused (seam refusal)");
        }

        await schema.EnsureAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            WITH started AS (
                INSERT INTO seam_workflows (workflow_id, fingerprint) VALUES (@id, @fingerprint)
                ON CONFLICT (workflow_id) DO NOTHING
                RETURNING workflow_id)
            INSERT INTO seam_calls (workflow_id, outcome)
            SELECT @id, CASE
                WHEN EXISTS (SELECT 1 FROM started) THEN 'started'
                WHEN (SELECT fingerprint FROM seam_workflows WHERE workflow_id = @id) = @fingerprint THEN 'already-started'
                ELSE 'other-order' END
            RETURNING outcome
            """,
            connection);
        command.Parameters.AddWithValue("id", input.OrderId);
        command.Parameters.AddWithValue("fingerprint", OrderStarter.RequestFingerprint(input));
        return await command.ExecuteScalarAsync(cancellationToken) switch
        {
            "started" => WorkflowStartResult.StartedNow,
            "already-started" => WorkflowStartResult.AlreadyStarted,
            _ => WorkflowStartResult.AlreadyStartedForOtherOrder,
        };
    }
}

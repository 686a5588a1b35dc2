using Npgsql;

namespace Serverless.Platform.Postgres;

/// <summary>A table (or index) a component needs; <paramref name="Sql"/> must be idempotent (<c>IF NOT EXISTS</c>).</summary>
public sealed record PostgresMigration(string Name, string Sql);

/// <summary>
/// Creates the environment's schema and every registered table the first time a component needs
/// them, not at process start: a consumer must start (and report not ready) while PostgreSQL is
/// down. An advisory lock keeps concurrent replicas from racing on the DDL; a failure is retried on
/// the next call.
/// </summary>
public sealed class PostgresSchema(PostgresDatabase database, IEnumerable<PostgresMigration> migrations)
{
    // Any constant shared by every process of the platform: it only serialises our own DDL.
    private const long MigrationLock = 0x5e7e71e55;
    private readonly Lock gate = new();
    private Task? ready;

    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (ready is null || ready.IsFaulted || ready.IsCanceled)
            {
                ready = MigrateAsync();
            }

            return ready.WaitAsync(cancellationToken);
        }
    }

    private async Task MigrateAsync()
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({MigrationLock}); CREATE SCHEMA IF NOT EXISTS \"{database.Schema}\"", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        foreach (var migration in migrations)
        {
            await using var command = new NpgsqlCommand(migration.Sql, connection, transaction);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}

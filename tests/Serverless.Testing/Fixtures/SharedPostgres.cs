using System.Collections.Concurrent;
using Npgsql;

namespace Serverless.Testing.Fixtures;

/// <summary>
/// The PostgreSQL of the test run (scripts/test.sh starts it), shared by every test of an assembly
/// that registers it (<c>[assembly: AssemblyFixture(typeof(SharedPostgres))]</c>). Each test works in
/// a schema of its own (<see cref="NewSchema"/>); the fixture drops them all when the assembly is
/// done, so a test that fails half-way leaves nothing behind for the next run.
/// </summary>
public sealed class SharedPostgres : IAsyncDisposable
{
    private readonly ConcurrentBag<string> schemas = [];
    private string? connectionString;

    /// <summary>The Npgsql connection string of the run's PostgreSQL (required on first use).</summary>
    public string ConnectionString => connectionString ??= Engines.RequirePostgres();

    /// <summary>A fresh schema name (<paramref name="prefix"/> plus a random suffix), dropped with the fixture.</summary>
    public string NewSchema(string prefix)
    {
        _ = ConnectionString;
        var schema = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        schemas.Add(schema);
        return schema;
    }

    public async ValueTask DisposeAsync()
    {
        if (connectionString is null || schemas.IsEmpty)
        {
            return;
        }

        await using var source = NpgsqlDataSource.Create(connectionString);
        foreach (var schema in schemas)
        {
            await using var drop = source.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }
}

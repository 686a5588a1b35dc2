using System.Text.RegularExpressions;
using Npgsql;
using Serverless.Platform.Environments;

namespace Serverless.Platform.Postgres;

/// <summary>
/// The system of record. Pool size and timeouts are explicit: a traffic spike needs far more than
/// Npgsql's defaults, and an exhausted pool must fail fast with a clear error, not hang.
/// </summary>
public sealed partial class PostgresOptions
{
    public const string Section = "Postgres";

    /// <summary>Npgsql connection string (host, database, user; the password from a secret).</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Schema of this environment's tables; defaults to the environment name (architecture §6).</summary>
    public string? Schema { get; set; }

    public int MinPoolSize { get; set; }

    /// <summary>Connections per process. Sum over all replicas must stay below the server's <c>max_connections</c>.</summary>
    public int MaxPoolSize { get; set; } = 100;

    /// <summary>How long an open waits for a free pooled connection (or to connect) before failing.</summary>
    public TimeSpan ConnectionTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate(ServerlessEnvironmentOptions environment)
    {
        NpgsqlConnectionStringBuilder? parsed = null;
        string? parseError = null;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException e)
        {
            parseError = e.Message;
        }

        if (string.IsNullOrWhiteSpace(ConnectionString) || parsed is null || string.IsNullOrWhiteSpace(parsed.Host))
        {
            yield return $"Postgres:ConnectionString must be an Npgsql connection string with a Host{(parseError is null ? string.Empty : $": {parseError}")}.";
        }

        if (Schema is not null && !SchemaName().IsMatch(Schema))
        {
            yield return $"Postgres:Schema must be a lower-case identifier (letters, digits, _), got '{Schema}'.";
        }

        if (MinPoolSize < 0 || MaxPoolSize < 1 || MinPoolSize > MaxPoolSize || MaxPoolSize > 10_000)
        {
            yield return $"Postgres:MinPoolSize ({MinPoolSize}) and Postgres:MaxPoolSize ({MaxPoolSize}) must satisfy 0 <= min <= max <= 10000, max >= 1.";
        }

        if (ConnectionTimeout < TimeSpan.FromSeconds(1) || CommandTimeout < TimeSpan.FromSeconds(1))
        {
            yield return "Postgres:ConnectionTimeout and Postgres:CommandTimeout must be at least one second (Npgsql counts whole seconds).";
        }

        foreach (var mixing in EnvironmentGuard.FindMixing(
                     environment, [("Postgres:Schema", Schema), ("Postgres:ConnectionString Host", parsed?.Host), ("Postgres:ConnectionString Database", parsed?.Database)]))
        {
            yield return mixing;
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}\\z")]
    private static partial Regex SchemaName();
}

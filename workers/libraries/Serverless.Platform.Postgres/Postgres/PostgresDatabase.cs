using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Serverless.Platform.Environments;

namespace Serverless.Platform.Postgres;

/// <summary>The pool is exhausted: every connection stayed busy for the whole connection timeout.</summary>
public sealed class PostgresPoolExhaustedException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The process's PostgreSQL data source, with the configured pool and timeouts and this
/// environment's schema on the search path. Opening a connection when the pool is exhausted fails
/// with <see cref="PostgresPoolExhaustedException"/> and counts <c>serverless.postgres.pool_exhausted</c>; pool usage
/// itself comes from Npgsql's own meter (<c>db.client.connection.*</c>), exported by the service defaults.
/// </summary>
public sealed partial class PostgresDatabase : IAsyncDisposable
{
    public const string MeterName = "Serverless.Postgres";

    private readonly NpgsqlDataSource dataSource;
    private readonly PostgresOptions options;
    private readonly Meter meter;
    private readonly Counter<long> exhausted;
    private readonly ILogger<PostgresDatabase> logger;

    public PostgresDatabase(IOptions<PostgresOptions> options, IOptions<ServerlessEnvironmentOptions> environment, IMeterFactory meters, ILogger<PostgresDatabase> logger)
    {
        this.options = options.Value;
        this.logger = logger;
        Schema = this.options.Schema ?? environment.Value.Environment;
        var builder = new NpgsqlConnectionStringBuilder(this.options.ConnectionString)
        {
            MinPoolSize = this.options.MinPoolSize,
            MaxPoolSize = this.options.MaxPoolSize,
            Timeout = (int)this.options.ConnectionTimeout.TotalSeconds,
            CommandTimeout = (int)this.options.CommandTimeout.TotalSeconds,
            SearchPath = Schema,
        };
        dataSource = PostgresConnectionDefaults.CreateDataSource(builder, this.options.ConnectionString);
        meter = meters.Create(MeterName);
        exhausted = meter.CreateCounter<long>("serverless.postgres.pool_exhausted", "{open}", "Connection opens that failed because the pool was exhausted");
        meter.CreateObservableGauge("serverless.postgres.pool.max", () => this.options.MaxPoolSize, "{connection}", "Postgres:MaxPoolSize");
    }

    /// <summary>The schema holding this environment's tables (first on the search path).</summary>
    public string Schema { get; }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException e) when (IsPoolExhausted(e))
        {
            exhausted.Add(1);
            LogPoolExhausted(options.MaxPoolSize, options.ConnectionTimeout);
            throw new PostgresPoolExhaustedException(
                $"PostgreSQL connection pool exhausted: all {options.MaxPoolSize} connections stayed busy for {options.ConnectionTimeout}. " +
                "Raise Postgres:MaxPoolSize (within the server's max_connections across all replicas), lower the work's concurrency, " +
                "or look for slow queries holding connections.", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await dataSource.DisposeAsync();
        meter.Dispose();
    }

    private static bool IsPoolExhausted(NpgsqlException e) =>
        e.InnerException is TimeoutException && e.Message.Contains("pool", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(3100, LogLevel.Error, "PostgreSQL connection pool exhausted ({MaxPoolSize} connections busy for {Timeout})")]
    private partial void LogPoolExhausted(int maxPoolSize, TimeSpan timeout);
}

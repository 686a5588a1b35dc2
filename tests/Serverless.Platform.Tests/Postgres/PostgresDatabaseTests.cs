using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Environments;
using Serverless.Platform.Postgres;
using Serverless.Testing;

namespace Serverless.Platform.Tests.Postgres;

public sealed class PostgresDatabaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_PoolExhausted_FailsFastWithClearErrorAndMetric()
    {
        await using var services = PlatformServices.Build(
            new Dictionary<string, string?>
            {
                ["Postgres:ConnectionString"] = Engines.RequirePostgres(),
                ["Postgres:MaxPoolSize"] = "2",
                ["Postgres:ConnectionTimeout"] = "00:00:01",
            },
            (s, c) => s.AddServerlessPostgres(c));
        var database = services.GetRequiredService<PostgresDatabase>();
        long exhausted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "serverless.postgres.pool_exhausted")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref exhausted, value));
        listener.Start();

        await using var first = await database.OpenAsync(Ct);
        await using var second = await database.OpenAsync(Ct);
        var error = await Assert.ThrowsAsync<PostgresPoolExhaustedException>(() => database.OpenAsync(Ct));

        Assert.Contains("all 2 connections stayed busy", error.Message, StringComparison.Ordinal);
        Assert.Contains("Postgres:MaxPoolSize", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Interlocked.Read(ref exhausted));
    }

    [Fact]
    public async Task Schema_EnsureTwiceConcurrently_CreatesSchemaAndTablesOnce()
    {
        var schema = PlatformServices.Unique("pgtest");
        await using var services = PlatformServices.Build(
            new Dictionary<string, string?> { ["Postgres:ConnectionString"] = Engines.RequirePostgres(), ["Postgres:Schema"] = schema },
            (s, c) => s.AddServerlessPostgres(c).AddPostgresMigration(new PostgresMigration("things", "CREATE TABLE IF NOT EXISTS things (id int PRIMARY KEY)")));
        var migrations = services.GetRequiredService<PostgresSchema>();

        await Task.WhenAll(migrations.EnsureAsync(Ct), migrations.EnsureAsync(Ct));

        await using var connection = await services.GetRequiredService<PostgresDatabase>().OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = @s AND table_name = 'things'", connection);
        command.Parameters.AddWithValue("s", schema);
        Assert.Equal(1L, await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public void Validate_BadSettings_ListsEveryProblem()
    {
        var errors = new PostgresOptions
        {
            ConnectionString = "Host=db.prod.internal;Database=orders",
            Schema = "Bad-Schema",
            MinPoolSize = 5,
            MaxPoolSize = 2,
            ConnectionTimeout = TimeSpan.FromMilliseconds(100),
        }.Validate(new ServerlessEnvironmentOptions { Environment = "dev" }).ToList();

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("belongs to environment 'prod'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("orders\n")]
    [InlineData("orders\r\n")]
    [InlineData("\norders")]
    [InlineData("orders ")]
    public void Validate_SchemaWithLineBreakOrSpace_Refused(string schema)
    {
        var errors = new PostgresOptions { ConnectionString = "Host=localhost;Database=orders", Schema = schema }
            .Validate(new ServerlessEnvironmentOptions { Environment = "dev" }).ToList();

        Assert.Contains(errors, e => e.Contains("Postgres:Schema", StringComparison.Ordinal));
    }
}

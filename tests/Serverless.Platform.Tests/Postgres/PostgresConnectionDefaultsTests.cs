using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Serverless.Platform.Postgres;
using Serverless.Testing;

namespace Serverless.Platform.Tests.Postgres;

public sealed class PostgresConnectionDefaultsTests
{
    private static readonly string[] Texts = ["x", "y"];
    private static readonly byte[][] Bytes = [[1, 2]];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void CreateDataSource_Unset_TurnsTypeLoadingAndGssEncryptionOff()
    {
        const string configured = "Host=db;Username=app";

        using var source = PostgresConnectionDefaults.CreateDataSource(new NpgsqlConnectionStringBuilder(configured), configured);

        Assert.Equal(GssEncryptionMode.Disable, new NpgsqlConnectionStringBuilder(source.ConnectionString).GssEncryptionMode);
        Assert.False(PostgresConnectionDefaults.LoadsTypes(configured));
    }

    [Theory]
    [InlineData("Host=db;Server Compatibility Mode=None;GSS Encryption Mode=Prefer")]
    [InlineData("Host=db;servercompatibilitymode=none;gssencryptionmode=prefer")]
    [InlineData("Host=db;SERVER COMPATIBILITY MODE=None;Gss Encryption Mode=Prefer")]
    public void CreateDataSource_SetByOperator_KeepsTheirValueEvenTheDefault(string configured)
    {
        using var source = PostgresConnectionDefaults.CreateDataSource(new NpgsqlConnectionStringBuilder(configured), configured);

        Assert.Equal(GssEncryptionMode.Prefer, new NpgsqlConnectionStringBuilder(source.ConnectionString).GssEncryptionMode);
        Assert.True(PostgresConnectionDefaults.LoadsTypes(configured));
    }

    [Fact]
    public void CreateDataSource_GssRequired_IsKept()
    {
        const string configured = "Host=db;GSS Encryption Mode=Require";

        using var source = PostgresConnectionDefaults.CreateDataSource(new NpgsqlConnectionStringBuilder(configured), configured);

        Assert.Equal(GssEncryptionMode.Require, new NpgsqlConnectionStringBuilder(source.ConnectionString).GssEncryptionMode);
        Assert.False(PostgresConnectionDefaults.LoadsTypes(configured));
    }

    [Fact]
    public async Task Database_WithoutTypeLoading_RoundTripsEveryTypeOurTablesUse()
    {
        await using var services = PlatformServices.Build(
            new Dictionary<string, string?> { ["Postgres:ConnectionString"] = Engines.RequirePostgres() },
            (s, c) => s.AddServerlessPostgres(c));
        var database = services.GetRequiredService<PostgresDatabase>();
        await using var connection = await database.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT @json::jsonb, @texts, @bytes, 12.50::numeric, now(), 7::bigint, true", connection);
        command.Parameters.Add(new NpgsqlParameter("json", NpgsqlDbType.Jsonb) { Value = """{"a":[1,2]}""" });
        command.Parameters.Add(new NpgsqlParameter("texts", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = Texts });
        command.Parameters.Add(new NpgsqlParameter("bytes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = Bytes });

        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));

        Assert.Equal("""{"a": [1, 2]}""", reader.GetString(0));
        Assert.Equal(["x", "y"], reader.GetFieldValue<string[]>(1));
        Assert.Equal([1, 2], reader.GetFieldValue<byte[][]>(2)[0]);
        Assert.Equal(12.50m, reader.GetDecimal(3));
        Assert.Equal(DateTimeKind.Utc, reader.GetDateTime(4).Kind);
        Assert.Equal(7L, reader.GetInt64(5));
        Assert.True(reader.GetBoolean(6));
    }
}

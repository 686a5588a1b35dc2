using Npgsql;
using Serverless.Local.Embedded;
using Serverless.Testing;
using StackExchange.Redis;

namespace Serverless.Local.Tests;

/// <summary>The engines `serverless up` starts, started for real and stopped again.</summary>
public sealed class LocalEnginesTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("serverless-local-test-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LocalRedis_Start_ServesCommandsAndStopsWithoutTrace()
    {
        Engines.RequireRedis();
        string address;
        await using (var redis = await LocalRedis.StartAsync(work.FullName, Ct))
        {
            address = redis.Address;
            await using var client = await ConnectionMultiplexer.ConnectAsync(address);
            await client.GetDatabase().StringSetAsync("k", "v");
            Assert.Equal("v", (string?)await client.GetDatabase().StringGetAsync("k"));
        }

        await Assert.ThrowsAnyAsync<RedisConnectionException>(async () =>
        {
            await using var gone = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { address }, ConnectTimeout = 500, AbortOnConnectFail = true });
        });
    }

    [Fact]
    public async Task LocalPostgres_Start_AcceptsConnectionsOnItsOwnPort()
    {
        Engines.RequirePostgres();
        var binaries = LocalPostgres.FindBinaries();
        Assert.NotNull(binaries);

        await using var postgres = await LocalPostgres.StartAsync(binaries, work.FullName, Ct);
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("select 41 + 1", connection);

        Assert.Equal(42, await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task LocalTemporal_ConfiguredAddressNobodyAnswers_SaysSoBeforeAnythingStarts()
    {
        var address = $"127.0.0.1:{HostTools.FreePort()}";

        var error = await Assert.ThrowsAsync<PrerequisiteMissingException>(() => LocalTemporal.StartAsync(address, cli: null, "dev", Ct));

        Assert.Contains($"nothing answers at {address}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalTemporal_BrokenCli_SaysWhatToInstall()
    {
        var missing = Path.Combine(work.FullName, "no-temporal-here");

        var error = await Assert.ThrowsAsync<PrerequisiteMissingException>(() => LocalTemporal.StartAsync(null, missing, "dev", Ct));

        Assert.Equal("Temporal", error.What);
        Assert.Contains($"the dev server from {missing} did not start", error.Message, StringComparison.Ordinal);
        Assert.Contains("Install the Temporal CLI", error.HowToInstall, StringComparison.Ordinal);
    }

    public void Dispose() => work.Delete(recursive: true);
}

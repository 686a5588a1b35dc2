using StackExchange.Redis;
using Xunit;

namespace Serverless.Testing.Fixtures;

/// <summary>
/// One connection to the Redis of the test run (scripts/test.sh starts it), shared by every test of
/// an assembly that registers it (<c>[assembly: AssemblyFixture(typeof(SharedRedis))]</c>) and takes it
/// in its constructor. The engine is required on first use, not when the fixture is built, so a
/// test without Redis skips (or fails when the run promised Redis) by itself instead of failing the
/// whole assembly. Tests keep their keys apart by name (a GUID per test or class).
/// </summary>
public sealed class SharedRedis : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private ConnectionMultiplexer? connection;
    private string? address;

    /// <summary><c>host:port</c> of the run's Redis, for the settings of a host under test (required on first use).</summary>
    public string Address => address ??= Engines.RequireRedis();

    public async Task<IConnectionMultiplexer> ConnectAsync()
    {
        var configuration = Address;
        if (connection is { } connected)
        {
            return connected;
        }

        await gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return connection ??= await ConnectionMultiplexer.ConnectAsync(configuration);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<IDatabase> DatabaseAsync() => (await ConnectAsync()).GetDatabase();

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }

        gate.Dispose();
    }
}

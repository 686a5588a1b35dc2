using Serverless.Local.Processes;

namespace Serverless.Local.Embedded;

/// <summary>A throwaway redis-server on a free loopback port, without persistence.</summary>
public sealed class LocalRedis : IAsyncDisposable
{
    private readonly ManagedProcess process;

    private LocalRedis(ManagedProcess process, int port)
    {
        this.process = process;
        Address = $"127.0.0.1:{port}";
    }

    public string Address { get; }

    public static async Task<LocalRedis> StartAsync(string workDirectory, CancellationToken cancellationToken)
    {
        var server = HostTools.FindOnPath("redis-server")
            ?? throw new PrerequisiteMissingException("Redis", "redis-server is not on PATH", "Install Redis 7 or newer (Debian/Ubuntu: sudo apt-get install redis-server), or set Redis:Address to a running one.");
        var port = HostTools.FreePort();
        var directory = Directory.CreateDirectory(Path.Combine(workDirectory, "redis")).FullName;
        var process = ManagedProcess.Start(
            "redis",
            server,
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", directory],
            new Dictionary<string, string?>());
        var redis = new LocalRedis(process, port);
        try
        {
            await HostTools.WaitForPortAsync(port, TimeSpan.FromSeconds(15), "redis-server", cancellationToken);
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await process.StopAsync(TimeSpan.FromSeconds(5));
        await process.DisposeAsync();
    }
}

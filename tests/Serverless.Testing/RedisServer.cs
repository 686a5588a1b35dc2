using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Serverless.Testing;

/// <summary>
/// A <c>redis-server</c> of a test's own, on a free loopback port, for tests that must stop, restart
/// or reconfigure Redis (the shared one from scripts/test.sh must stay up for everyone else). With
/// <c>persistent</c>, writes go to an append-only file fsynced on every write, so a restart keeps
/// every acknowledged write, as a managed Redis with persistence would.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(15);
    private readonly string directory;
    private readonly bool persistent;
    private Process? process;

    private RedisServer(string directory, int port, bool persistent)
    {
        this.directory = directory;
        this.persistent = persistent;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(bool persistent = false, CancellationToken cancellationToken = default)
    {
        Engines.RequireRedis();
        var binary = Engines.FindOnPath("redis-server");
        Assert.SkipWhen(binary is null, $"{Engines.MissingPrefix} redis-server binary (install Redis >= 7 to run tests that restart Redis)");
        var directory = Directory.CreateTempSubdirectory("serverless-redis-").FullName;
        var server = new RedisServer(directory, FreePort(), persistent);
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Graceful stop (SIGTERM: Redis flushes its append-only file), waiting until the process is gone.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (process is not { HasExited: false } running)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancellationToken);
        }

        await running.WaitForExitAsync(cancellationToken).WaitAsync(StartBound, cancellationToken);
        running.Dispose();
        process = null;
    }

    public Task RestartAsync(CancellationToken cancellationToken = default) => StartProcessAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false } running)
        {
            running.Kill();
            await running.WaitForExitAsync();
        }

        process?.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", string.Empty, "--dir", directory, "--appendonly", persistent ? "yes" : "no",
                     "--appendfsync", "always", "--logfile", Path.Combine(directory, "redis.log"),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start)!;
        var deadline = DateTime.UtcNow + StartBound;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {process.ExitCode}: {await File.ReadAllTextAsync(Path.Combine(directory, "redis.log"), cancellationToken)}");
            }

            if (await AcceptsAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"redis-server did not listen on {Address} within {StartBound}");
    }

    private async Task<bool> AcceptsAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            await using var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            // "-LOADING" while the append-only file is replayed: not ready yet.
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

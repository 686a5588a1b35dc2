using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Serverless.Consumers.Bench;

/// <summary>A throwaway redis-server and PostgreSQL on free loopback ports, in a temporary directory.</summary>
internal sealed class Engines : IAsyncDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("serverless-bench-").FullName;
    private Process? redis;
    private string? pgBin;

    public int RedisPort { get; } = FreePort();

    public int PostgresPort { get; } = FreePort();

    public string RedisAddress => $"127.0.0.1:{RedisPort}";

    public string PostgresConnectionString => $"Host=127.0.0.1;Port={PostgresPort};Username=serverless;Database=postgres";

    public async Task StartAsync()
    {
        redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", RedisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory])
        {
            RedirectStandardOutput = true,
        })!;
        pgBin = FindPostgresBin();
        var data = Path.Combine(directory, "pg");
        Directory.CreateDirectory(data);
        if (Environment.UserName == "root")
        {
            await RunAsync("chmod", "755", directory);
            await RunAsync("chown", "postgres", data);
        }

        await AsPostgresAsync(Path.Combine(pgBin, "initdb"), "-D", data, "-U", "serverless", "--auth=trust", "-E", "UTF8", "--no-sync");
        await AsPostgresAsync(
            Path.Combine(pgBin, "pg_ctl"), "-D", data, "-l", Path.Combine(data, "log"), "-w", "-o",
            $"-p {PostgresPort} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off", "start");
        await WaitForPortAsync(RedisPort);
    }

    public async ValueTask DisposeAsync()
    {
        redis?.Kill();
        if (pgBin is not null)
        {
            await AsPostgresAsync(Path.Combine(pgBin, "pg_ctl"), "-D", Path.Combine(directory, "pg"), "-m", "immediate", "stop");
        }

        Directory.Delete(directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindPostgresBin() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")))
        ?? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).OrderDescending().FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")))
        ?? throw new InvalidOperationException("PostgreSQL binaries (initdb, pg_ctl) not found");

    private static Task AsPostgresAsync(params string[] command) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", .. command]) : RunAsync(command[0], command[1..]);

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {await process.StandardError.ReadToEndAsync()}");
        }
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"nothing listens on {port}");
    }
}

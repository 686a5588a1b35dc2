using System.Globalization;
using Serverless.Local.Processes;

namespace Serverless.Local.Embedded;

/// <summary>
/// A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free loopback port with trust auth, in a
/// directory of its own. PostgreSQL refuses to run as root, so as root it runs as <c>postgres</c>.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string binDirectory;
    private readonly string dataDirectory;

    private LocalPostgres(string binDirectory, string dataDirectory, int port)
    {
        this.binDirectory = binDirectory;
        this.dataDirectory = dataDirectory;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=serverless;Database=postgres";
    }

    public string ConnectionString { get; }

    /// <summary>The directory holding initdb and pg_ctl, or null when PostgreSQL is not installed.</summary>
    public static string? FindBinaries()
    {
        if (HostTools.FindOnPath("initdb") is { } initdb)
        {
            return Path.GetDirectoryName(new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb);
        }

        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => bin, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
    }

    public static async Task<LocalPostgres> StartAsync(string binDirectory, string workDirectory, CancellationToken cancellationToken)
    {
        var root = Directory.CreateDirectory(Path.Combine(workDirectory, "postgres")).FullName;
        var data = Path.Combine(root, "data");
        var socket = Directory.CreateDirectory(Path.Combine(root, "socket")).FullName;
        if (HostTools.IsRoot)
        {
            // The throwaway cluster's folders must belong to the user that runs the server.
            File.SetUnixFileMode(workDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            await RunAsync("chown", ["-R", "postgres", root], cancellationToken);
        }

        var port = HostTools.FreePort();
        await RunAsPostgresAsync(binDirectory, "initdb", ["-D", data, "-U", "serverless", "--auth=trust", "-E", "UTF8", "--no-sync"], cancellationToken);
        var options = string.Join(' ', $"-p {port.ToString(CultureInfo.InvariantCulture)}", $"-k {socket}", "-c listen_addresses=127.0.0.1", "-c max_connections=300", "-c fsync=off");
        await RunAsPostgresAsync(binDirectory, "pg_ctl", ["-D", data, "-l", Path.Combine(root, "postgres.log"), "-w", "-t", "30", "-o", options, "start"], cancellationToken);
        return new LocalPostgres(binDirectory, data, port);
    }

    public async ValueTask DisposeAsync() =>
        await RunAsPostgresAsync(binDirectory, "pg_ctl", ["-D", dataDirectory, "-m", "fast", "stop"], CancellationToken.None);

    private static Task RunAsPostgresAsync(string binDirectory, string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        HostTools.IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(binDirectory, tool), .. arguments], cancellationToken)
            : RunAsync(Path.Combine(binDirectory, tool), arguments, cancellationToken);

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        await using var process = ManagedProcess.Start(fileName, fileName, arguments, new Dictionary<string, string?>());
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} failed ({exitCode}): {process.Output}");
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Serverless.Local.Processes;

/// <summary>
/// A child process with its output captured, stoppable the way Kubernetes stops a pod: SIGTERM
/// first (drain), SIGKILL when the grace period is over.
/// </summary>
public sealed partial class ManagedProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int MaxLinesKept = 2000;
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock logGate = new();
    private int? exitCode;
    private StreamWriter? log;

    private ManagedProcess(Process process, string name)
    {
        this.process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => process.Id;

    public bool HasExited => exitCode is not null || process.HasExited;

    public int ExitCode => exitCode ?? process.ExitCode;

    /// <summary>The last lines written to stdout and stderr.</summary>
    public string Output => string.Join('\n', output);

    /// <summary>One of our .NET executables: <c>dotnet app.dll [arguments]</c> with the given environment.</summary>
    public static ManagedProcess StartDotnet(
        string name, string assemblyPath, IReadOnlyDictionary<string, string?> environment, params IEnumerable<string> arguments) =>
        Start(name, "dotnet", [assemblyPath, .. arguments], environment, Path.GetDirectoryName(assemblyPath));

    public static ManagedProcess Start(
        string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Our hosts are configured explicitly: a `Section__Key` variable exported in the parent's
        // shell (say Temporal__Address) must not silently reconfigure a child.
        foreach (var inherited in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, name);
        process.OutputDataReceived += (_, e) => managed.Record(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Also writes every line of output to <paramref name="path"/>.</summary>
    public void WriteLogTo(string path)
    {
        lock (logGate)
        {
            log = new StreamWriter(path, append: true) { AutoFlush = true };
            foreach (var line in output)
            {
                log.WriteLine(line);
            }
        }
    }

    /// <summary>The address Kestrel reports once it listens (start the app with <c>Urls=http://127.0.0.1:0</c>).</summary>
    public Task<Uri> ListeningAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        listening.Task.WaitAsync(timeout, cancellationToken);

    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        return process.ExitCode;
    }

    /// <summary>What the kubelet sends first when a pod is scaled in or drained.</summary>
    public void Terminate()
    {
        if (!HasExited && SendSignal(process.Id, SigTerm) != 0 && !process.HasExited)
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed for {Name} (pid {process.Id}): errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>SIGKILL: no chance to drain, as when a node dies or the grace period runs out.</summary>
    public void Kill()
    {
        if (!HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>SIGTERM, then SIGKILL if the process is still there after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Terminate();
        try
        {
            await process.WaitForExitAsync().WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (exitCode is not null)
        {
            return;
        }

        Kill();
        await process.WaitForExitAsync();
        exitCode = process.ExitCode;
        process.Dispose();
        lock (logGate)
        {
            log?.Dispose();
            log = null;
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (logGate)
        {
            output.Enqueue(line);
            log?.WriteLine(line);
        }

        while (output.Count > MaxLinesKept)
        {
            output.TryDequeue(out _);
        }

        var match = ListeningLine().Match(line);
        if (match.Success && Uri.TryCreate(match.Groups[1].Value + "/", UriKind.Absolute, out var address))
        {
            listening.TrySetResult(address);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    [GeneratedRegex(@"Now listening on: (http://[0-9A-Za-z.\-\[\]]+:[0-9]+)")]
    private static partial Regex ListeningLine();
}

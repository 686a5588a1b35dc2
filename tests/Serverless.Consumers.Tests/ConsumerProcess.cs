using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Serverless.Consumers.Tests;

/// <summary>
/// The consumer executable as a real child process, configured through environment variables, so
/// that tests can kill it (SIGKILL), stop it (SIGTERM) and watch its log lines.
/// </summary>
public sealed class ConsumerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();

    private ConsumerProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public string Output => string.Join('\n', lines);

    /// <summary>The consumer's own build output next to this test assembly (same configuration).</summary>
    public static string Executable { get; } = Path.Combine(AppContext.BaseDirectory, "Serverless.Consumers.dll");

    public static ConsumerProcess Start(IReadOnlyDictionary<string, string> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Executable);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The child must not inherit test-run variables that would reconfigure it.
        foreach (var inherited in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return new ConsumerProcess(Process.Start(start)!);
    }

    public async Task WaitForOutputAsync(string text, TimeSpan bound, CancellationToken cancellationToken)
    {
        await Polling.UntilAsync(() => Task.FromResult(Output.Contains(text, StringComparison.Ordinal) || process.HasExited), bound, $"'{text}' in the consumer output", cancellationToken);
        if (!Output.Contains(text, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The consumer exited ({process.ExitCode}) without printing '{text}':\n{Output}");
        }
    }

    public void Kill() => process.Kill();

    /// <summary>SIGTERM, as the kubelet sends it.</summary>
    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(cancellationToken);
    }

    public async Task<int> WaitForExitAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken).WaitAsync(bound, cancellationToken);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }
}

/// <summary>Waits on a condition with a bound: no fixed sleeps in tests.</summary>
public static class Polling
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {bound} for {what}.");
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }
}

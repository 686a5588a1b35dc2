using System.Diagnostics;
using Serverless.Testing;

namespace Serverless.Manifests.Tests.Support;

/// <summary><c>kubectl kustomize</c> (renders offline) as a child process, bounded in time.</summary>
public static class Kustomize
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string RequireKubectl()
    {
        var kubectl = Engines.FindOnPath("kubectl");
        Assert.SkipWhen(kubectl is null, $"{Engines.MissingPrefix} kubectl (its built-in kustomize renders the overlays offline; install kubectl to run this test)");
        return kubectl!;
    }

    /// <summary>The rendered YAML of the kustomization in <paramref name="directory"/>; fails with kustomize's error.</summary>
    public static async Task<string> BuildAsync(string directory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(RequireKubectl())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Timeout);
        var output = process.StandardOutput.ReadToEndAsync(bounded.Token);
        var error = process.StandardError.ReadToEndAsync(bounded.Token);
        try
        {
            await process.WaitForExitAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl kustomize {directory} did not finish within {Timeout.TotalSeconds} s");
        }

        Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} failed (exit {process.ExitCode}): {await error}");
        return await output;
    }
}

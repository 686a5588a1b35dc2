using Xunit;

namespace Serverless.Testing;

/// <summary>
/// Detects engines this machine may lack. A test that needs one calls <c>Require…</c>: it runs
/// when the engine is there and is skipped otherwise with a reason starting with
/// <see cref="MissingPrefix"/>, which CI counts separately. A skip is never a pass.
/// </summary>
public static class Engines
{
    public const string MissingPrefix = "engine missing:";

    /// <summary>The Temporal CLI (it embeds the dev server): <c>TEMPORAL_CLI_PATH</c>, else <c>temporal</c> on PATH.</summary>
    public static string? TemporalCli
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("TEMPORAL_CLI_PATH");
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return File.Exists(configured) ? configured : null;
            }

            return FindOnPath("temporal");
        }
    }

    public static string RequireTemporalCli()
    {
        var cli = TemporalCli;
        Assert.SkipWhen(
            cli is null,
            $"{MissingPrefix} Temporal server (set TEMPORAL_CLI_PATH or put the 'temporal' CLI on PATH to run this test)");
        return cli!;
    }

    public static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, executable))
            .FirstOrDefault(File.Exists);
}

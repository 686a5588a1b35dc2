using Serverless.Local.Processes;
using Serverless.Testing;

namespace Serverless.Consumers.Tests;

/// <summary>
/// The consumer executable as a real child process, configured through environment variables, so
/// that tests can kill it (SIGKILL), stop it (SIGTERM) and watch its log lines.
/// </summary>
public static class ConsumerProcess
{
    /// <summary>The consumer's own build output next to this test assembly (same configuration).</summary>
    public static string Executable { get; } = Path.Combine(AppContext.BaseDirectory, "Serverless.Consumers.dll");

    public static ManagedProcess Start(IReadOnlyDictionary<string, string> settings, params string[] arguments) =>
        ManagedProcess.StartDotnet(
            "consumer",
            Executable,
            settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => (string?)s.Value),
            arguments);

    public static async Task WaitForOutputAsync(this ManagedProcess consumer, string text, TimeSpan bound)
    {
        await Eventually.TrueAsync(() => consumer.Output.Contains(text, StringComparison.Ordinal) || consumer.HasExited, bound, $"'{text}' in the consumer output");
        if (!consumer.Output.Contains(text, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The consumer exited ({consumer.ExitCode}) without printing '{text}':\n{consumer.Output}");
        }
    }
}

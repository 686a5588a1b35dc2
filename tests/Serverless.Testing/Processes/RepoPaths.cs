using Serverless.Local.Up;

namespace Serverless.Testing.Processes;

/// <summary>Locates the repository and the build outputs of our executables from a test's output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Deployables.FindRepositoryRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"Serverless.sln not found above {AppContext.BaseDirectory}");

    /// <summary>The build configuration the tests run in (Debug or Release), read off the test output path.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name;

    /// <summary>The built executables, in the configuration of the running tests (test projects reference them, so they are built first).</summary>
    public static Deployables Deployables { get; } = new(Root, Configuration);

    /// <summary>Processes running now whose command line contains <paramref name="text"/> (read from /proc).</summary>
    public static int ProcessesWithCommandLineContaining(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(dir => Path.Combine(dir, "cmdline"))
            .Count(file =>
            {
                try
                {
                    return File.ReadAllText(file).Contains(text, StringComparison.Ordinal);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The process ended while we looked, or is not ours to read.
                    return false;
                }
            });
}

namespace Serverless.Cli.Tests.Support;

/// <summary>Where the checked-in policy, and the rendered manifests are.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string PolicyPath => Path.Combine(Root, "keda", "scalers.yaml");

    public static string RenderedRoot => Path.Combine(Root, "keda", "base", "scaling");

    /// <summary>An hour of steady traffic, an idle hour, another steady hour (keda/SIZING.md).</summary>
    public static string IdleHourTracePath => Path.Combine(Root, "keda", "traces", "idle-hour.csv");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serverless.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Serverless.sln not found above the test binaries");
    }
}

using Serverless.Testing.Processes;

namespace Serverless.Testing.Policy;

/// <summary>Where the checked-in policy, and the rendered manifests are.</summary>
public static class RepositoryLayout
{
    public static string Root => RepoPaths.Root;

    public static string PolicyPath => Path.Combine(Root, "keda", "scalers.yaml");

    public static string RenderedRoot => Path.Combine(Root, "keda", "base", "scaling");

    /// <summary>An hour of steady traffic, an idle hour, another steady hour (keda/SIZING.md).</summary>
    public static string IdleHourTracePath => Path.Combine(Root, "keda", "traces", "idle-hour.csv");
}

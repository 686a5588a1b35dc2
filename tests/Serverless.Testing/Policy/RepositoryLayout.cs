using Serverless.Testing.Processes;

namespace Serverless.Testing.Policy;

/// <summary>Where the checked-in policy, and the rendered manifests are.</summary>
public static class RepositoryLayout
{
    public static string Root => RepoPaths.Root;

    public static string PolicyPath => Path.Combine(Root, "keda", "scalers.yaml");

    /// <summary>The frozen policy of the lint's worked examples (<see cref="PolicyText.Example"/>).</summary>
    public static string ExamplePolicyPath => Path.Combine(Root, "tests", "Serverless.Testing", "Policy", "example-scalers.yaml");

    public static string RenderedRoot => Path.Combine(Root, "keda", "base", "scaling");

    /// <summary>An hour of steady traffic, an idle hour, another steady hour (keda/SIZING.md).</summary>
    public static string IdleHourTracePath => Path.Combine(Root, "keda", "traces", "idle-hour.csv");
}

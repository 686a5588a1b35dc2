using Serverless.Testing.Processes;

namespace Serverless.Manifests.Tests.Support;

/// <summary>Where the deploy artifacts are, and what each environment must look like.</summary>
public static class Repository
{
    public static string Root => RepoPaths.Root;

    public static string Overlay(string environment) => Path.Combine(Root, "keda", "overlays", environment);

    public static string Monitoring => Path.Combine(Root, "keda", "platform", "monitoring");

    public static string Fixture(string name) => Path.Combine(Root, "tests", "Serverless.Manifests.Tests", "Fixtures", name);
}

using Serverless.Testing;

namespace Serverless.Cli.Tests.Support;

/// <summary>Where the checked-in policy, the rendered manifests and the shared CRD schemas are.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string PolicyPath => Path.Combine(Root, "keda", "scalers.yaml");

    public static string RenderedRoot => Path.Combine(Root, "keda", "base", "scaling");

    /// <summary>
    /// The KEDA CRDs live outside the repository (they are upstream files): <c>SERVERLESS_SCHEMAS_DIR</c>, or
    /// <c>../shared/schemas</c> next to the checkout as on the build machine. Skips with a reason CI counts when absent.
    /// </summary>
    public static string RequireSchemas()
    {
        var configured = Environment.GetEnvironmentVariable("SERVERLESS_SCHEMAS_DIR");
        var directory = string.IsNullOrWhiteSpace(configured) ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "schemas")) : configured;
        Assert.SkipUnless(
            File.Exists(Path.Combine(directory, "keda.sh_scaledobjects.yaml")),
            $"{Engines.MissingPrefix} KEDA CRD schemas (set SERVERLESS_SCHEMAS_DIR to a folder with keda.sh_scaledobjects.yaml)");
        return directory;
    }

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

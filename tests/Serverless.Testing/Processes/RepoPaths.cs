namespace Serverless.Testing.Processes;

/// <summary>Locates the repository and the build outputs of our executables from a test's output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests run in (Debug or Release), read off the test output path.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name;

    /// <summary>
    /// The built dll of an executable project, in the same configuration as the running tests
    /// (the test project references it, so it is built first).
    /// </summary>
    public static string BuiltAssembly(string projectFolder, string assemblyName)
    {
        // Test output: <root>/tests/<Project>/bin/<Configuration>/net10.0/linux-x64/
        var path = Path.Combine(Root, projectFolder, "bin", Configuration, "net10.0", "linux-x64", assemblyName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assemblyName} is not built at {path}; build the solution first.", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Serverless.sln not found above {AppContext.BaseDirectory}");
    }
}

namespace Serverless.Local.Up;

/// <summary>Where the built executables of the deployables are (built by <c>dotnet build -c Release Serverless.sln</c>).</summary>
public sealed class Deployables(string repositoryRoot, string configuration)
{
    public string Workers => Built("workers/Serverless.Workers", "Serverless.Workers");

    public string Consumers => Built("workers/Serverless.Consumers", "Serverless.Consumers");

    public string Scaler => Built("workers/Serverless.Scaler", "Serverless.Scaler");

    public string Simulators => Built("workers/Serverless.Simulators", "Serverless.Simulators");

    public string Functions => Built("functions/Serverless.Functions.SelfHost", "Serverless.Functions.SelfHost");

    /// <summary>The repository root: the nearest folder above <paramref name="start"/> holding Serverless.sln.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serverless.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    private string Built(string projectFolder, string assembly)
    {
        var path = Path.Combine(repositoryRoot, projectFolder, "bin", configuration, "net10.0", "linux-x64", assembly + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assembly} is not built ({path}): run 'dotnet build -c {configuration} Serverless.sln' first.", path);
    }
}

namespace Serverless.Local.Up;

/// <summary>
/// Where the executables of the deployables are: the build outputs (<c>dotnet build -c Release Serverless.sln</c>),
/// except the worker and consumer hosts when <paramref name="hostsDirectory"/> names their ReadyToRun
/// publish output (<c>scripts/publish-hosts.sh</c>): replicas start from zero on every scale-out, so
/// they run what the images ship.
/// </summary>
/// <param name="repositoryRoot">The repository root.</param>
/// <param name="configuration">Build configuration whose outputs are run.</param>
/// <param name="hostsDirectory">Folder holding <c>Serverless.Workers/</c> and <c>Serverless.Consumers/</c> publish outputs; the build outputs when null.</param>
public sealed class Deployables(string repositoryRoot, string configuration, string? hostsDirectory = null)
{
    /// <summary>Where <c>scripts/publish-hosts.sh</c> publishes the hosts, relative to the repository root.</summary>
    public const string PublishedHostsFolder = "artifacts/hosts";

    public string Workers => Host("workers/Serverless.Workers", "Serverless.Workers");

    public string Consumers => Host("workers/Serverless.Consumers", "Serverless.Consumers");

    public string Scaler => Built("workers/Serverless.Scaler", "Serverless.Scaler");

    public string Simulators => Built("workers/Serverless.Simulators", "Serverless.Simulators");

    public string Functions => Built("functions/Serverless.Functions.SelfHost", "Serverless.Functions.SelfHost");

    /// <summary>The same deployables, with the hosts from <see cref="PublishedHostsFolder"/>.</summary>
    public Deployables WithPublishedHosts() => new(repositoryRoot, configuration, Path.Combine(repositoryRoot, PublishedHostsFolder));

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

    private string Host(string projectFolder, string assembly)
    {
        if (hostsDirectory is null)
        {
            return Built(projectFolder, assembly);
        }

        var path = Path.Combine(hostsDirectory, assembly, assembly + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assembly} is not published ({path}): run 'scripts/publish-hosts.sh' first.", path);
    }

    private string Built(string projectFolder, string assembly)
    {
        var path = Path.Combine(repositoryRoot, projectFolder, "bin", configuration, "net10.0", "linux-x64", assembly + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assembly} is not built ({path}): run 'dotnet build -c {configuration} Serverless.sln' first.", path);
    }
}

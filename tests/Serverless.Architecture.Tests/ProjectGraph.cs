using System.Xml.Linq;
using Serverless.Testing.Processes;

namespace Serverless.Architecture.Tests;

/// <summary>A production project as its project file declares it (paths relative to the repository, '/' separated).</summary>
public sealed record ProjectFile(string Path, string Sdk, string? OutputType, IReadOnlyList<string> Packages, IReadOnlyList<string> References)
{
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    public string Directory => System.IO.Path.GetDirectoryName(Path)!.Replace('\\', '/');

    public bool IsExecutable => Sdk == "Microsoft.NET.Sdk.Web" || OutputType == "Exe";
}

/// <summary>The production projects (functions/, workers/, tools/) and their references, read from the project files.</summary>
public sealed class ProjectGraph
{
    public static readonly string[] ProductionFolders = ["functions", "workers", "tools"];

    private ProjectGraph(IReadOnlyDictionary<string, ProjectFile> projects) => Projects = projects;

    public static ProjectGraph Production { get; } = Load(ProductionFolders);

    public IReadOnlyDictionary<string, ProjectFile> Projects { get; }

    public ProjectFile this[string path] => Projects[path];

    public static IEnumerable<string> ProjectFiles(params string[] folders) =>
        folders.SelectMany(folder => System.IO.Directory.EnumerateFiles(System.IO.Path.Combine(RepoPaths.Root, folder), "*.csproj", SearchOption.AllDirectories))
            .Where(path => !IsBuildOutput(path))
            .Select(Relative)
            .Order(StringComparer.Ordinal);

    /// <summary>Source files of a project, without what the build generated.</summary>
    public static IEnumerable<string> SourceFiles(ProjectFile project) =>
        System.IO.Directory.EnumerateFiles(System.IO.Path.Combine(RepoPaths.Root, project.Directory), "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(path));

    /// <summary>The project and every project it references, directly or not.</summary>
    public IReadOnlyList<ProjectFile> Closure(string path)
    {
        var seen = new List<ProjectFile>();
        var pending = new Stack<string>([path]);
        while (pending.TryPop(out var next))
        {
            if (seen.Any(p => p.Path == next))
            {
                continue;
            }

            var project = Projects[next];
            seen.Add(project);
            foreach (var reference in project.References)
            {
                pending.Push(reference);
            }
        }

        return seen;
    }

    public IReadOnlySet<string> PackageClosure(string path) => Closure(path).SelectMany(p => p.Packages).ToHashSet(StringComparer.Ordinal);

    private static ProjectGraph Load(string[] folders) =>
        new(ProjectFiles(folders).Select(Read).ToDictionary(p => p.Path, StringComparer.Ordinal));

    private static ProjectFile Read(string path)
    {
        var document = XDocument.Load(System.IO.Path.Combine(RepoPaths.Root, path));
        var directory = System.IO.Path.GetDirectoryName(path)!;
        var items = document.Descendants();
        return new ProjectFile(
            path,
            document.Root!.Attribute("Sdk")?.Value ?? string.Empty,
            items.FirstOrDefault(e => e.Name.LocalName == "OutputType")?.Value,
            items.Where(e => e.Name.LocalName == "PackageReference").Select(e => e.Attribute("Include")!.Value).ToList(),
            items.Where(e => e.Name.LocalName == "ProjectReference")
                .Select(e => Relative(System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoPaths.Root, directory, e.Attribute("Include")!.Value))))
                .ToList());
    }

    private static string Relative(string path) => System.IO.Path.GetRelativePath(RepoPaths.Root, path).Replace('\\', '/');

    private static bool IsBuildOutput(string path)
    {
        var relative = Relative(path);
        return relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal) || relative.StartsWith("artifacts/", StringComparison.Ordinal);
    }
}

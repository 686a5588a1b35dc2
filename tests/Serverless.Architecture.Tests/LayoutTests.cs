using Serverless.Testing.Processes;

namespace Serverless.Architecture.Tests;

/// <summary>A deployable is told from a library by its path alone (CONTRIBUTING.md, "Where things live").</summary>
public sealed class LayoutTests
{
    private static bool InLibraries(ProjectFile project) => project.Path.Contains("/libraries/", StringComparison.Ordinal);

    [Fact]
    public void ProjectsUnderLibraries_AreLibraries()
    {
        var executables = ProjectGraph.Production.Projects.Values.Where(p => InLibraries(p) && p.IsExecutable).Select(p => p.Path).ToList();

        Assert.True(executables.Count == 0, "under a libraries/ folder but executable: " + string.Join(", ", executables));
    }

    [Fact]
    public void ProductionProjectsOutsideLibraries_AreDeployables()
    {
        var libraries = ProjectGraph.Production.Projects.Values.Where(p => !InLibraries(p) && !p.IsExecutable).Select(p => p.Path).ToList();

        Assert.True(libraries.Count == 0, "libraries outside a libraries/ folder (move them to workers/libraries or tools/libraries): " + string.Join(", ", libraries));
    }

    [Fact]
    public void Deployables_AreReferencedByNoOtherProductionProject_ButTheSelfHostsFunctionsApp()
    {
        var production = ProjectGraph.Production.Projects.Values;
        var referenced = production
            .SelectMany(p => p.References.Select(r => (From: p.Path, To: r)))
            .Where(edge => production.Single(p => p.Path == edge.To).IsExecutable)
            .Select(edge => $"{edge.From} -> {edge.To}")
            .ToList();

        // The self-host maps the Functions app's classes onto Kestrel: the one deployable built from another.
        Assert.Equal(["functions/Serverless.Functions.SelfHost/Serverless.Functions.SelfHost.csproj -> functions/Serverless.Functions/Serverless.Functions.csproj"], referenced);
    }

    [Fact]
    public void EveryProject_IsInTheSolution()
    {
        var solution = File.ReadAllText(Path.Combine(RepoPaths.Root, "Serverless.sln")).Replace('\\', '/');
        var missing = ProjectGraph.ProjectFiles([.. ProjectGraph.ProductionFolders, "tests", "bench"])
            .Where(path => !solution.Contains($"\"{path}\"", StringComparison.Ordinal))
            .ToList();

        Assert.True(missing.Count == 0, "not in Serverless.sln (dotnet sln add <path>): " + string.Join(", ", missing));
    }
}

using Serverless.Testing.Processes;

namespace Serverless.Architecture.Tests;

/// <summary>
/// Docker cannot be run here, so the images' build is checked from the Dockerfiles: the restore
/// layer copies the project file of every project a deployable is built from, and the build copies
/// their sources. A library moved or added without its Dockerfile line fails here, not in a registry.
/// </summary>
public sealed class DockerfileTests
{
    public static TheoryData<string, string> Images()
    {
        var data = new TheoryData<string, string>
        {
            { "functions/Serverless.Functions/Dockerfile", "functions/Serverless.Functions/Serverless.Functions.csproj" },
            { "functions/Serverless.Functions.SelfHost/Dockerfile", "functions/Serverless.Functions.SelfHost/Serverless.Functions.SelfHost.csproj" },
        };
        // One Dockerfile for every deployable under workers/ (--build-arg PROJECT=<name>).
        foreach (var project in ProjectGraph.Production.Projects.Values.Where(p => p.IsExecutable && p.Path.StartsWith("workers/", StringComparison.Ordinal)))
        {
            data.Add("workers/Dockerfile", project.Path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Dockerfile_RestoresAndBuildsEveryProjectOfTheImage(string dockerfile, string project)
    {
        var name = Path.GetFileNameWithoutExtension(project);
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, dockerfile)).Select(l => l.Replace("${PROJECT}", name, StringComparison.Ordinal).Trim()).ToList();
        var restore = lines.FindIndex(l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, $"{dockerfile} has no 'RUN dotnet restore' step");
        var copiedBeforeRestore = Sources(lines.Take(restore));
        var copiedAfterRestore = Sources(lines.Skip(restore));

        var closure = ProjectGraph.Production.Closure(project);
        var notRestored = closure.Where(p => !copiedBeforeRestore.Contains(p.Path)).Select(p => p.Path).ToList();
        var notBuilt = closure.Where(p => !copiedAfterRestore.Any(source => (p.Directory + "/").StartsWith(source, StringComparison.Ordinal))).Select(p => p.Directory).ToList();

        Assert.True(notRestored.Count == 0, $"{dockerfile} ({name}): no COPY of these project files before the restore: {string.Join(", ", notRestored)}");
        Assert.True(notBuilt.Count == 0, $"{dockerfile} ({name}): no COPY of these sources after the restore: {string.Join(", ", notBuilt)}");
    }

    private static HashSet<string> Sources(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.StartsWith("COPY --from", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .ToHashSet(StringComparer.Ordinal);
}

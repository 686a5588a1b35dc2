using System.Text.RegularExpressions;
using Serverless.Testing.Processes;

namespace Serverless.Architecture.Tests;

/// <summary>A project references only what it uses, and the engine clients only where they belong.</summary>
public sealed class DependencyTests
{
    private const string Temporal = "Temporalio";
    private const string Dapr = "Dapr.Client";
    private const string Npgsql = "Npgsql";
    private const string Redis = "StackExchange.Redis";

    public static TheoryData<string, string[]> EngineFree => new()
    {
        // The simulators stand in for external HTTP services: no engine client at all.
        { "workers/Serverless.Simulators/Serverless.Simulators.csproj", [Temporal, Dapr, Npgsql, Redis] },
        { "workers/libraries/Serverless.Platform.Hosting/Serverless.Platform.Hosting.csproj", [Temporal, Dapr, Npgsql, Redis] },
        { "workers/libraries/Serverless.Platform.Redis/Serverless.Platform.Redis.csproj", [Temporal, Npgsql] },
        { "workers/libraries/Serverless.Platform.Postgres/Serverless.Platform.Postgres.csproj", [Temporal, Dapr, Redis] },
        { "workers/libraries/Serverless.Platform.Temporal/Serverless.Platform.Temporal.csproj", [Dapr, Npgsql, Redis] },
        { "workers/libraries/Serverless.Orders.Integrations/Serverless.Orders.Integrations.csproj", [Temporal, Dapr, Npgsql, Redis] },
        // The order data (contracts, events, read model) is read by hosts that never talk to Temporal.
        { "workers/libraries/Serverless.Orders/Serverless.Orders.csproj", [Temporal] },
        { "workers/Serverless.Consumers/Serverless.Consumers.csproj", [Temporal] },
        // The policy model runs in the portable operator CLI.
        { "tools/libraries/Serverless.Scaling/Serverless.Scaling.csproj", [Temporal, Dapr, Npgsql, Redis] },
    };

    /// <summary>What in a project's source files shows that it uses a package it references.</summary>
    private static readonly Dictionary<string, string> UseInSource = new(StringComparer.Ordinal)
    {
        ["Temporalio"] = @"\bTemporalio\.",
        ["Temporalio.Extensions.Hosting"] = @"\bTemporalio\.Extensions\.Hosting\b",
        ["StackExchange.Redis"] = @"\bStackExchange\.Redis\b",
        ["Npgsql"] = @"\bNpgsql",
        ["Dapr.Client"] = @"\bDapr\.Client\b",
        ["OpenTelemetry.Extensions.Hosting"] = @"\bAddOpenTelemetry\(",
        ["OpenTelemetry.Exporter.Prometheus.AspNetCore"] = @"\bAddPrometheusExporter\(",
        ["OpenTelemetry.Instrumentation.AspNetCore"] = @"\bAddAspNetCoreInstrumentation\(",
        ["OpenTelemetry.Instrumentation.Http"] = @"\bAddHttpClientInstrumentation\(",
        ["OpenTelemetry.Instrumentation.Runtime"] = @"\bAddRuntimeInstrumentation\(",
        ["OpenTelemetry.Exporter.OpenTelemetryProtocol"] = @"\bAddOtlpExporter\(",
        ["Microsoft.Extensions.Http.Resilience"] = @"\bAdd\w*ResilienceHandler\(",
        ["Microsoft.Extensions.Logging.Abstractions"] = @"\bMicrosoft\.Extensions\.Logging\b",
        ["Microsoft.AspNetCore.OpenApi"] = @"\b(AddOpenApi|MapOpenApi)\(",
        ["Microsoft.Azure.Functions.Worker"] = @"\bMicrosoft\.Azure\.Functions\.Worker\b",
        ["Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore"] = @"\bConfigureFunctionsWebApplication\(",
        ["Grpc.AspNetCore"] = @"\bMapGrpcService<",
        ["Grpc.Net.Client"] = @"\bGrpcChannel\b",
        ["YamlDotNet"] = @"\bYamlDotNet\b",
        ["System.CommandLine"] = @"\bSystem\.CommandLine\b",
        ["Spectre.Console"] = @"\bSpectre\.Console\b",
    };

    /// <summary>Packages used by the build, not the code: the project file shows their use.</summary>
    private static readonly Dictionary<string, string> UseInProjectFile = new(StringComparer.Ordinal)
    {
        ["Microsoft.Azure.Functions.Worker.Sdk"] = "<AzureFunctionsVersion>",
        ["Google.Protobuf"] = "<Protobuf Include=",
        ["Grpc.Core.Api"] = "<Protobuf Include=",
        ["Grpc.Tools"] = "<Protobuf Include=",
    };

    [Theory]
    [MemberData(nameof(EngineFree))]
    public void Project_DependsOnNoEngineClientItHasNoUseFor(string project, string[] forbidden)
    {
        var present = ProjectGraph.Production.PackageClosure(project).Intersect(forbidden, StringComparer.Ordinal).ToList();

        Assert.True(present.Count == 0, $"{project} pulls in {string.Join(", ", present)} (through {Via(project, present)})");
    }

    [Fact]
    public void NamingLibrary_HasNoDependencies()
    {
        var naming = ProjectGraph.Production["workers/libraries/Serverless.Naming/Serverless.Naming.csproj"];

        Assert.Empty(naming.Packages);
        Assert.Empty(naming.References);
    }

    [Fact]
    public void EveryPackageReference_IsUsedByTheProjectThatDeclaresIt()
    {
        var problems = new List<string>();
        foreach (var project in ProjectGraph.Production.Projects.Values)
        {
            var source = string.Join('\n', ProjectGraph.SourceFiles(project).Select(File.ReadAllText));
            var projectFile = File.ReadAllText(Path.Combine(RepoPaths.Root, project.Path));
            foreach (var package in project.Packages)
            {
                var (text, evidence) = UseInSource.TryGetValue(package, out var inSource) ? (source, inSource)
                    : UseInProjectFile.TryGetValue(package, out var inProjectFile) ? (projectFile, inProjectFile)
                    : (null, null);
                if (evidence is null)
                {
                    problems.Add($"{project.Path}: {package} is not known to this test: add what shows its use to {nameof(UseInSource)} or {nameof(UseInProjectFile)}");
                }
                else if (!Regex.IsMatch(text!, evidence))
                {
                    problems.Add($"{project.Path}: {package} is referenced but not used (nothing matches {evidence}): remove the reference");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void ProductionProjects_ReferenceNoTestOrBenchmarkProject()
    {
        var wrong = ProjectGraph.Production.Projects.Values
            .SelectMany(p => p.References.Where(r => !ProjectGraph.ProductionFolders.Any(f => r.StartsWith(f + "/", StringComparison.Ordinal))).Select(r => $"{p.Path} -> {r}"))
            .ToList();

        Assert.True(wrong.Count == 0, string.Join(", ", wrong));
    }

    private static string Via(string project, IReadOnlyList<string> packages) =>
        string.Join(", ", ProjectGraph.Production.Closure(project).Where(p => p.Packages.Intersect(packages, StringComparer.Ordinal).Any()).Select(p => p.Name));
}

using System.CommandLine;
using Serverless.Cli.Output;
using Serverless.Scaling.Policy;

namespace Serverless.Cli.Commands;

/// <summary>The options every policy command shares, and loading the policy with readable errors.</summary>
internal static class PolicyOptions
{
    public const string DefaultRelativePath = "keda/scalers.yaml";
    public const string DefaultEnvironment = "prod";

    public static Option<FileInfo> Policy() => new("--policy", "-p")
    {
        HelpName = "file",
        Description = $"The scaler policy file (default: {DefaultRelativePath} in this directory or the nearest parent that has one).",
        DefaultValueFactory = _ => new FileInfo(FindDefault()),
    };

    public static Option<string?> Environment(string description) => new("--environment", "-e")
    {
        Description = description,
    };

    /// <summary>
    /// Loads and reports problems. Without a usable policy the exit code says why: the file is missing
    /// (<see cref="ExitCodes.Usage"/>) or it has errors (<see cref="ExitCodes.Findings"/>).
    /// </summary>
    public static (ScalerPolicy? Policy, int ExitCode) Load(FileInfo file, CliOutput output)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(output);
        if (!file.Exists)
        {
            output.Problem($"policy file {Display(file.FullName)} not found (pass --policy <file>)");
            return (null, ExitCodes.Usage);
        }

        var result = PolicyLoader.Load(file.FullName, Display(file.FullName));
        if (!result.HasErrors)
        {
            return (result.Policy, ExitCodes.Ok);
        }

        output.Diagnostics(result.Diagnostics, toError: true);
        output.Problem($"{Display(file.FullName)}: {result.Diagnostics.Count(d => d.Severity == Severity.Error)} error(s); fix them first (serverless scalers lint).");
        return (null, ExitCodes.Findings);
    }

    /// <summary>The named environment, or prod, or the only one; null (after saying why) otherwise.</summary>
    public static EnvironmentPolicy? Environment(ScalerPolicy policy, string? name, CliOutput output)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(output);
        var chosen = name ?? (policy.Find(DefaultEnvironment) is not null || policy.Environments.Count != 1 ? DefaultEnvironment : policy.Environments[0].Name);
        var environment = policy.Find(chosen);
        if (environment is null)
        {
            output.Problem($"environment '{chosen}' is not in {policy.SourcePath}; it has: {string.Join(", ", policy.Environments.Select(e => e.Name))}");
        }

        return environment;
    }

    public static string Display(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    private static string FindDefault()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, DefaultRelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(DefaultRelativePath);
    }
}

using System.CommandLine;
using Serverless.Cli.Output;
using Serverless.Scaling.Lint;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Rendering;

namespace Serverless.Cli.Commands;

/// <summary>
/// <c>serverless scalers render</c>: writes <c>&lt;out&gt;/&lt;environment&gt;/</c> (ScaledObjects, TriggerAuthentications,
/// kustomization, and in <c>pools/</c> the Deployments of the queues' catalog entries) from the policy and the catalogs;
/// <c>--check</c> only compares and exits 1 when the files disagree.
/// </summary>
internal sealed class RenderCommand : Command
{
    public const string DefaultOutputBelowPolicy = "base/scaling";

    private readonly Option<FileInfo> policy = PolicyOptions.Policy();
    private readonly Option<string?> environment = PolicyOptions.Environment("Render only this environment (default: all).");
    private readonly Option<DirectoryInfo?> output = new("--out", "-o")
    {
        Description = $"Root directory of the rendered manifests (default: {DefaultOutputBelowPolicy} next to the policy file, i.e. keda/{DefaultOutputBelowPolicy}).",
    };

    private readonly Option<bool> check = new("--check")
    {
        Description = "Do not write: exit 1 and list the differences if the files on disk do not match the policy.",
    };

    public RenderCommand()
        : base("render", "Render the policy to KEDA ScaledObjects and TriggerAuthentications, and the catalogs' pools to their Deployments, one directory per environment.")
    {
        Options.Add(policy);
        Options.Add(environment);
        Options.Add(output);
        Options.Add(check);
        SetAction(Run);
    }

    private int Run(ParseResult parseResult)
    {
        var console = CliOutput.For(parseResult);
        var file = parseResult.GetRequiredValue(policy);
        var (loaded, exitCode) = PolicyOptions.Load(file, console);
        if (loaded is null)
        {
            return exitCode;
        }

        var only = parseResult.GetValue(environment);
        var environments = loaded.Environments.Where(e => only is null || e.Name == only).ToList();
        if (environments.Count == 0)
        {
            console.Problem($"environment '{only}' is not in the policy; it has: {string.Join(", ", loaded.Environments.Select(e => e.Name))}");
            return ExitCodes.Usage;
        }

        var lintErrors = PolicyLinter.Lint(loaded, only).Where(d => d.Severity == Severity.Error).ToList();
        if (lintErrors.Count > 0)
        {
            console.Diagnostics(lintErrors, toError: true);
            console.Problem($"not rendering: 'serverless scalers lint' reports {lintErrors.Count} error(s).");
            return ExitCodes.Findings;
        }

        var root = parseResult.GetValue(output)?.FullName ?? Path.Combine(file.DirectoryName!, DefaultOutputBelowPolicy);
        var rendered = environments.ToDictionary(
            e => e.Name,
            e => KedaManifestRenderer.Render(e, file.Name),
            StringComparer.Ordinal);
        var changes = ManifestSync.Plan(root, rendered);
        // With one environment selected, directories of the others are not stale.
        changes = only is null ? changes : [.. changes.Where(c => IsInside(c.Path, Path.Combine(root, only)))];

        if (parseResult.GetValue(check))
        {
            foreach (var change in changes)
            {
                console.Line($"{Verb(change.Kind, check: true)} {PolicyOptions.Display(change.Path)}");
            }

            console.Line(changes.Count == 0
                ? $"{PolicyOptions.Display(root)} matches {file.Name}."
                : $"{changes.Count} file(s) disagree with {file.Name}: run 'serverless scalers render'.");
            return changes.Count == 0 ? ExitCodes.Ok : ExitCodes.Findings;
        }

        ManifestSync.Apply(changes, rendered, root);
        foreach (var change in changes)
        {
            console.Line($"{Verb(change.Kind, check: false)} {PolicyOptions.Display(change.Path)}");
        }

        var total = rendered.Values.Sum(f => f.Count);
        console.Line($"{total} file(s) for {string.Join(", ", rendered.Keys)} in {PolicyOptions.Display(root)}: {changes.Count} changed.");
        return ExitCodes.Ok;
    }

    private static bool IsInside(string path, string directory) =>
        path.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string Verb(ManifestChangeKind kind, bool check) => (kind, check) switch
    {
        (ManifestChangeKind.Create, true) => "missing:",
        (ManifestChangeKind.Update, true) => "differs:",
        (ManifestChangeKind.Delete, true) => "stale:  ",
        (ManifestChangeKind.Create, false) => "created:",
        (ManifestChangeKind.Update, false) => "updated:",
        _ => "removed:",
    };
}

using System.CommandLine;
using Serverless.Cli.Output;
using Serverless.Scaling.Lint;
using Serverless.Scaling.Policy;

namespace Serverless.Cli.Commands;

/// <summary><c>serverless scalers lint</c>: policy errors and warnings with reason and fix; exit 1 on errors.</summary>
internal sealed class LintCommand : Command
{
    private readonly Option<FileInfo> policy = PolicyOptions.Policy();
    private readonly Option<string?> environment = PolicyOptions.Environment("Lint only this environment (default: all).");

    public LintCommand()
        : base("lint", "Check the scaler policy: unknown fields and wrong types (file:line), then settings that will hurt, each with the reason and the fix.")
    {
        Options.Add(policy);
        Options.Add(environment);
        SetAction(Run);
    }

    private int Run(ParseResult parseResult)
    {
        var output = CliOutput.For(parseResult);
        var file = parseResult.GetRequiredValue(policy);
        var loaded = file.Exists ? PolicyLoader.Load(file.FullName, PolicyOptions.Display(file.FullName)) : null;
        if (loaded is null)
        {
            output.Problem($"policy file {PolicyOptions.Display(file.FullName)} not found (pass --policy <file>)");
            return ExitCodes.Usage;
        }

        var only = parseResult.GetValue(environment);
        if (loaded.Policy is { } p && only is not null && p.Find(only) is null)
        {
            output.Problem($"environment '{only}' is not in the policy; it has: {string.Join(", ", p.Environments.Select(e => e.Name))}");
            return ExitCodes.Usage;
        }

        var findings = loaded.Diagnostics.ToList();
        if (loaded.Policy is { } valid)
        {
            findings.AddRange(PolicyLinter.Lint(valid, only));
        }

        output.Diagnostics(findings);
        var errors = findings.Count(d => d.Severity == Severity.Error);
        var warnings = findings.Count - errors;
        var scope = loaded.Policy is null ? "the policy could not be read completely" : $"environments: {string.Join(", ", loaded.Policy.Environments.Where(e => only is null || e.Name == only).Select(e => e.Name))}";
        output.Line($"{PolicyOptions.Display(file.FullName)}: {errors} error(s), {warnings} warning(s) ({scope}).");
        return errors > 0 ? ExitCodes.Findings : ExitCodes.Ok;
    }
}

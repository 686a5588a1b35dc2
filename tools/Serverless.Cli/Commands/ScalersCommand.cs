using System.CommandLine;

namespace Serverless.Cli.Commands;

/// <summary><c>serverless scalers lint|render|explain</c>.</summary>
internal sealed class ScalersCommand : Command
{
    public ScalersCommand()
        : base("scalers", "Work with the per-queue scaler policy (keda/scalers.yaml).")
    {
        Subcommands.Add(new LintCommand());
        Subcommands.Add(new RenderCommand());
        Subcommands.Add(new ExplainCommand());
    }
}

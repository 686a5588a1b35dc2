using System.CommandLine;
using Serverless.Cli.Commands;

namespace Serverless.Cli;

/// <summary>
/// The command tree of <c>serverless</c>. A new command is a <see cref="Command"/> subclass in
/// <c>Commands/</c> added here; shared options live in <see cref="PolicyOptions"/>.
/// </summary>
public static class ServerlessCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("serverless: operator tooling for the Serverless platform (scaler policies, KEDA manifests, spike simulation, local runs and load).");
        root.Subcommands.Add(new ScalersCommand());
        root.Subcommands.Add(new SimulateCommand());
        root.Subcommands.Add(new UpCommand());
        root.Subcommands.Add(new LoadCommand());
        return root;
    }
}

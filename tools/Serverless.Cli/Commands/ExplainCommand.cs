using System.CommandLine;
using System.Globalization;
using Serverless.Cli.Output;
using Serverless.Scaling.Explain;
using Serverless.Scaling.Simulation;
using Spectre.Console;

namespace Serverless.Cli.Commands;

/// <summary><c>serverless scalers explain QUEUE</c>: what happens from idle when N items arrive, in plain words.</summary>
internal sealed class ExplainCommand : Command
{
    private readonly Argument<string> queue = new("queue") { Description = "The queue name as written under 'queues:' in the policy." };
    private readonly Option<FileInfo> policy = PolicyOptions.Policy();
    private readonly Option<string?> environment = PolicyOptions.Environment($"Environment whose settings to explain (default: {PolicyOptions.DefaultEnvironment}).");
    private readonly Option<double?> items = new("--items", "-n")
    {
        Description = "How many items arrive at once (default: one minute of the declared peak).",
    };

    public ExplainCommand()
        : base("explain", "Explain in plain words what the queue's scaler does from idle when N items arrive: wake-up, ramp, drain, scale-in, cost.")
    {
        Arguments.Add(queue);
        Options.Add(policy);
        Options.Add(environment);
        Options.Add(items);
        items.Validators.Add(result =>
        {
            if (result.GetValue(items) is <= 0 or > 100_000_000)
            {
                result.AddError("--items must be between 1 and 100,000,000.");
            }
        });
        SetAction(Run);
    }

    private int Run(ParseResult parseResult)
    {
        var output = CliOutput.For(parseResult);
        var file = parseResult.GetRequiredValue(policy);
        var (loaded, exitCode) = PolicyOptions.Load(file, output);
        if (loaded is null)
        {
            return exitCode;
        }

        if (PolicyOptions.Environment(loaded, parseResult.GetValue(environment), output) is not { } env)
        {
            return ExitCodes.Usage;
        }

        var name = parseResult.GetRequiredValue(queue);
        if (env.FindQueue(name) is not { } target)
        {
            output.Problem($"queue '{name}' is not in the policy; it has: {string.Join(", ", env.Queues.Select(q => q.Name))}");
            return ExitCodes.Usage;
        }

        var count = parseResult.GetValue(items) ?? QueueExplainer.DefaultItems(env, target);
        var explanation = QueueExplainer.Explain(env, target, count);
        output.Out.MarkupLineInterpolated($"[bold]{explanation.Title}[/]");
        foreach (var line in explanation.Setting)
        {
            output.Line(line);
        }

        output.Line();
        foreach (var (at, text) in explanation.Timeline)
        {
            output.Out.MarkupLineInterpolated($"  [bold]{("t+" + Durations.Format(at)).PadLeft(14)}[/]  {text}");
        }

        output.Line();
        foreach (var line in explanation.Summary)
        {
            output.Line(line);
        }

        output.Line(string.Create(CultureInfo.InvariantCulture, $"(Model: platform-semantics §1.3 KEDA RequestScale, §2 HPA; simulated {explanation.Run.Summary.SimulatedSeconds} s at 1 s steps.)"));
        return ExitCodes.Ok;
    }
}

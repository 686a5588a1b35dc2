using System.CommandLine;
using System.Globalization;
using Serverless.Cli.Output;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Reports;
using Serverless.Scaling.Simulation;
using Serverless.Scaling.Traffic;

namespace Serverless.Cli.Commands;

/// <summary>
/// <c>serverless simulate</c>: replays a day (generated from the traffic profile, or a CSV trace) through the
/// KEDA + HPA model for every queue; prints a summary and writes a CSV and an SVG chart per queue.
/// <c>--compare a.yaml b.yaml</c> runs two policies on the same arrivals; <c>--compare-signals</c> runs one policy
/// with every queue on the backlog signal and again on the work signal.
/// </summary>
internal sealed class SimulateCommand : Command
{
    public const string DefaultOutput = "artifacts/simulation";

    private readonly Option<FileInfo> policy = PolicyOptions.Policy();
    private readonly Option<FileInfo[]> compare = new("--compare")
    {
        Description = "Two policy files to run side by side on the same arrivals (replaces --policy).",
        HelpName = "a.yaml b.yaml",
        Arity = new ArgumentArity(2, 2),
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<bool> compareSignals = new("--compare-signals")
    {
        Description = "Run the policy twice on the same arrivals: every queue on signal backlog (KEDA's built-in triggers), then on signal work (push scaler, activation window).",
    };

    private readonly Option<string?> environment = PolicyOptions.Environment($"Environment to simulate (default: {PolicyOptions.DefaultEnvironment}).");
    private readonly Option<FileInfo?> trace = new("--trace", "-t")
    {
        HelpName = "file.csv",
        Description = "CSV arrivals: header 'second,orders' (fanned out by itemsPerOrder) and/or 'second,<queue>,...'; default: a generated day from the policy's traffic.",
    };

    private readonly Option<int> seed = new("--seed") { Description = "Seed of the generated day (same seed, same arrivals).", DefaultValueFactory = _ => 1 };
    private readonly Option<double?> ordersPerDay = new("--orders-per-day") { Description = "Override traffic.ordersPerDay for the generated day." };
    private readonly Option<double?> spikeFactor = new("--spike-factor") { Description = "Override traffic.spike.factor for the generated day." };
    private readonly Option<double> serviceRateFactor = new("--service-rate-factor")
    {
        Description = "Multiply every replica's service rate, e.g. 0.053 for an external API slowing from 0.8 s to 15 s per call.",
        DefaultValueFactory = _ => 1.0,
    };

    private readonly Option<string[]> queues = new("--queue", "-q")
    {
        Description = "Simulate only these queues (repeatable).",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string[]> outages = new("--scaler-outage")
    {
        Description = "A window in which the scaler cannot read its metric, 'HH:MM-HH:MM' or 'SECONDS-SECONDS' (repeatable): shows fallback.",
    };

    private readonly Option<DirectoryInfo> output = new("--out", "-o")
    {
        Description = "Where to write <queue>.csv, <queue>.svg and summary.csv.",
        DefaultValueFactory = _ => new DirectoryInfo(DefaultOutput),
    };

    private readonly Option<int> step = new("--step")
    {
        Description = "Seconds per CSV row (arrivals summed, other columns the maximum); 1 writes every second.",
        DefaultValueFactory = _ => 15,
    };

    public SimulateCommand()
        : base("simulate", "Replay a day of arrivals (or a CSV trace) through KEDA + HPA semantics for every queue: waits, backlog, replicas, cost, SLO.")
    {
        foreach (var option in new Option[] { policy, compare, compareSignals, environment, trace, seed, ordersPerDay, spikeFactor, serviceRateFactor, queues, outages, output, step })
        {
            Options.Add(option);
        }

        step.Validators.Add(r => AddErrorUnless(r, r.GetValue(step) is >= 1 and <= 86_400, "--step must be between 1 and 86400 seconds."));
        serviceRateFactor.Validators.Add(r => AddErrorUnless(r, r.GetValue(serviceRateFactor) is > 0 and <= 100, "--service-rate-factor must be above 0 and at most 100."));
        ordersPerDay.Validators.Add(r => AddErrorUnless(r, r.GetValue(ordersPerDay) is null or (> 0 and <= 1e9), "--orders-per-day must be above 0."));
        spikeFactor.Validators.Add(r => AddErrorUnless(r, r.GetValue(spikeFactor) is null or (>= 1 and <= 1000), "--spike-factor must be between 1 and 1000."));
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var console = CliOutput.For(parseResult);
        if (parseResult.GetValue(compareSignals) && parseResult.GetValue(compare) is { Length: > 0 })
        {
            console.Problem("--compare-signals runs one policy under both signals; it cannot be combined with --compare");
            return ExitCodes.Usage;
        }

        var files = parseResult.GetValue(compare) is { Length: 2 } pair ? pair : [parseResult.GetRequiredValue(policy)];
        var environments = new List<(string Label, EnvironmentPolicy Environment)>();
        foreach (var (file, label) in files.Zip(Labels(files)))
        {
            var (loaded, exitCode) = PolicyOptions.Load(file, console);
            if (loaded is null)
            {
                return exitCode;
            }

            if (PolicyOptions.Environment(loaded, parseResult.GetValue(environment), console) is not { } env)
            {
                return ExitCodes.Usage;
            }

            var withTraffic = WithTrafficOverrides(env, parseResult);
            if (parseResult.GetValue(compareSignals))
            {
                environments.Add(("backlog", withTraffic.WithSignal(ScalingSignal.Backlog)));
                environments.Add(("work", withTraffic.WithSignal(ScalingSignal.Work)));
            }
            else
            {
                environments.Add((label, withTraffic));
            }
        }

        var selected = parseResult.GetValue(queues) ?? [];
        var unknown = selected.Where(q => !environments.Exists(e => e.Environment.FindQueue(q) is not null)).ToList();
        if (unknown.Count > 0)
        {
            console.Problem($"unknown queue(s): {string.Join(", ", unknown)}; the policy has: {string.Join(", ", environments[0].Environment.Queues.Select(q => q.Name))}");
            return ExitCodes.Usage;
        }

        if (!TryParseOutages(parseResult.GetValue(outages) ?? [], out var scalerOutages, out var outageError))
        {
            console.Problem(outageError);
            return ExitCodes.Usage;
        }

        var arrivals = await ArrivalsAsync(parseResult, environments, console, cancellationToken);
        if (arrivals is null)
        {
            return ExitCodes.Usage;
        }

        var options = new SimulationOptions(ServiceRateFactor: parseResult.GetValue(serviceRateFactor), ScalerOutages: scalerOutages);
        var runs = environments
            .Select(e => EnvironmentSimulator.Run(e.Label, e.Environment, arrivals, options, selected, cancellationToken))
            .ToList();

        console.Line($"Arrivals: {arrivals.Description}" + (options.ServiceRateFactor == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; service rates × {options.ServiceRateFactor}")));
        if (parseResult.GetValue(trace) is null && environments.Skip(1).Any(e => e.Environment.Traffic with { Location = environments[0].Environment.Traffic.Location } != environments[0].Environment.Traffic))
        {
            console.Line($"Note: the policies declare different traffic; both run on orders generated from the traffic of {environments[0].Label}.");
        }

        SimulationSummaryTable.Write(console.Out, runs);
        var directory = parseResult.GetRequiredValue(output);
        await WriteReportsAsync(directory, runs, parseResult.GetValue(step), cancellationToken);
        console.Line($"Wrote summary.csv and <queue>.csv / <queue>.svg for {runs.SelectMany(r => r.Queues).Select(q => q.Queue.Name).Distinct().Count()} queue(s) to {PolicyOptions.Display(directory.FullName)}.");
        return ExitCodes.Ok;
    }

    private EnvironmentPolicy WithTrafficOverrides(EnvironmentPolicy env, ParseResult parseResult)
    {
        var traffic = env.Traffic;
        if (parseResult.GetValue(ordersPerDay) is { } perDay)
        {
            traffic = traffic with { OrdersPerDay = perDay };
        }

        if (parseResult.GetValue(spikeFactor) is { } factor)
        {
            traffic = traffic with { Spike = traffic.Spike with { Factor = factor } };
        }

        return env with { Traffic = traffic };
    }

    private async Task<ArrivalTrace?> ArrivalsAsync(
        ParseResult parseResult, List<(string Label, EnvironmentPolicy Environment)> environments, CliOutput console, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(trace) is not { } file)
        {
            // Both policies see the same orders: generated from the first policy's traffic profile.
            return GeneratedDay.Create(environments[0].Environment.Traffic, parseResult.GetValue(seed));
        }

        if (!file.Exists)
        {
            console.Problem($"trace file {PolicyOptions.Display(file.FullName)} not found");
            return null;
        }

        var names = environments.SelectMany(e => e.Environment.Queues.Select(q => q.Name)).Distinct(StringComparer.Ordinal).ToList();
        var text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
        var (parsed, problems) = CsvTrace.Parse(text, PolicyOptions.Display(file.FullName), names);
        console.Diagnostics(problems, toError: true);
        return parsed;
    }

    private static async Task WriteReportsAsync(DirectoryInfo directory, List<PolicyRun> runs, int stepSeconds, CancellationToken cancellationToken)
    {
        directory.Create();
        await File.WriteAllTextAsync(Path.Combine(directory.FullName, "summary.csv"), SimulationCsv.Summary(runs), cancellationToken);
        foreach (var name in runs.SelectMany(r => r.Queues).Select(q => q.Queue.Name).Distinct(StringComparer.Ordinal))
        {
            var perQueue = runs
                .SelectMany(r => r.Queues.Where(q => q.Queue.Name == name).Select(q => (r.Label, r.Environment, Run: q)))
                .ToList();
            var csv = SimulationCsv.Series(perQueue.Select(p => (p.Label, p.Environment.Name, p.Run)), stepSeconds);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, $"{name}.csv"), csv, cancellationToken);
            var (_, environment, first) = perQueue[0];
            var title = $"{name} ({environment.Name}): {QueueDescription.Of(environment, first.Queue)}";
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, $"{name}.svg"), SvgChart.Render(title, [.. perQueue.Select(p => (p.Label, p.Run))]), cancellationToken);
        }
    }

    private static IEnumerable<string> Labels(FileInfo[] files)
    {
        var names = files.Select(f => Path.GetFileNameWithoutExtension(f.Name)).ToList();
        return names.Distinct(StringComparer.Ordinal).Count() == names.Count ? names : files.Select(f => PolicyOptions.Display(f.FullName));
    }

    private static bool TryParseOutages(string[] values, out List<ScalerOutage> parsed, out string error)
    {
        parsed = [];
        error = string.Empty;
        foreach (var value in values)
        {
            var parts = value.Split('-');
            if (parts.Length != 2 || ParseTime(parts[0]) is not { } from || ParseTime(parts[1]) is not { } to || to <= from)
            {
                error = $"--scaler-outage '{value}' is not 'HH:MM-HH:MM' or 'SECONDS-SECONDS' with the end after the start";
                return false;
            }

            parsed.Add(new ScalerOutage(from, to));
        }

        return true;
    }

    private static long? ParseTime(string text)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds;
        }

        return TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out var time) ? (long)time.TotalSeconds : null;
    }

    private static void AddErrorUnless(System.CommandLine.Parsing.OptionResult result, bool condition, string message)
    {
        if (!condition)
        {
            result.AddError(message);
        }
    }
}

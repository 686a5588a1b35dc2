using System.CommandLine;
using System.Globalization;
using Serverless.Cli.Output;
using Serverless.Local.Load;
using Serverless.Local.Up;
using Spectre.Console;

namespace Serverless.Cli.Commands;

/// <summary><c>serverless load</c>: orders at the HTTP API at a rate, with an optional spike, and a report.</summary>
internal sealed class LoadCommand : Command
{
    private readonly Option<Uri?> url = new("--url")
    {
        Description = "The API's base address (default: the one `serverless up` is running).",
        CustomParser = result => Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var address) && address.Scheme is "http" or "https"
            ? address
            : ParseError(result, "--url must be an absolute http(s) address, e.g. http://127.0.0.1:7070/"),
    };
    private readonly Option<string?> apiKey = new("--api-key")
    {
        Description = "API key (default: $SERVERLESS_API_KEY, else the one `serverless up` generated).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SERVERLESS_API_KEY"),
    };
    private readonly Option<double> rate = new("--rate", "-r") { Description = "Orders per second.", DefaultValueFactory = _ => 2 };
    private readonly Option<TimeSpan> duration = new("--duration", "-d") { Description = "How long to send.", DefaultValueFactory = _ => TimeSpan.FromMinutes(1) };
    private readonly Option<double> spikeFactor = new("--spike-factor") { Description = "Multiply the rate by this during the spike (10 = a 10x marketing spike).", DefaultValueFactory = _ => 1 };
    private readonly Option<TimeSpan> spikeStart = new("--spike-start") { Description = "When the spike starts.", DefaultValueFactory = _ => TimeSpan.Zero };
    private readonly Option<TimeSpan> spikeLength = new("--spike-length") { Description = "How long the spike lasts (e.g. 00:02:00).", DefaultValueFactory = _ => TimeSpan.Zero };
    private readonly Option<int> maxInFlight = new("--max-in-flight") { Description = "Orders waiting for an answer at most; beyond it orders are counted as skipped.", DefaultValueFactory = _ => 256 };
    private readonly Option<double> declineShare = new("--decline-share") { Description = "Share of orders paid with a card the simulator declines.", DefaultValueFactory = _ => 0 };

    public LoadCommand()
        : base("load", "Drive orders at the HTTP API at a rate with an optional spike; report accepted, failed and latency percentiles.")
    {
        foreach (var option in new Option[] { url, apiKey, rate, duration, spikeFactor, spikeStart, spikeLength, maxInFlight, declineShare })
        {
            Options.Add(option);
        }

        SetAction(RunAsync);
    }

    private static Uri? ParseError(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var output = CliOutput.For(parseResult);
        var plan = new LoadPlan(
            parseResult.GetValue(rate),
            parseResult.GetValue(duration),
            parseResult.GetValue(spikeFactor),
            parseResult.GetValue(spikeStart),
            parseResult.GetValue(spikeLength),
            parseResult.GetValue(maxInFlight),
            parseResult.GetValue(declineShare));
        var problems = plan.Validate().ToList();
        var session = Deployables.FindRepositoryRoot(Directory.GetCurrentDirectory()) is { } root ? LocalSession.Load(root) : null;
        var address = parseResult.GetValue(url) ?? session?.ApiAddress;
        var key = parseResult.GetValue(apiKey) ?? session?.ApiKey;
        if (address is null || key is null)
        {
            problems.Add("no API to load: start `serverless up` in this repository, or pass --url and --api-key");
        }

        foreach (var problem in problems)
        {
            output.Problem(problem);
        }

        if (problems.Count > 0)
        {
            return ExitCodes.Usage;
        }

        output.Line($"load: {plan.OrdersPerSecond:0.##} orders/s for {plan.Duration}{(plan.SpikeFactor > 1 ? $", {plan.SpikeFactor:0.#}x from {plan.SpikeStart} for {plan.SpikeLength}" : string.Empty)} at {address} (about {plan.ExpectedOrders:0} orders)");
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var report = await new OrderLoad(http, key!).RunAsync(
            plan,
            p => output.Line(string.Create(CultureInfo.InvariantCulture, $"{p.Elapsed:hh\\:mm\\:ss} rate {p.CurrentRate,7:0.#}/s  sent {p.Sent,7}  accepted {p.Accepted,7}  failed {p.Failed,5}  skipped {p.SkippedAtCapacity,5}  in flight {p.InFlight,4}")),
            cancellationToken);

        var table = new Table().AddColumns("sent", "accepted", "failed", "skipped", "accepted/s", "p50 ms", "p95 ms", "p99 ms", "max ms");
        table.AddRow(
            report.Sent.ToString(CultureInfo.InvariantCulture),
            report.Accepted.ToString(CultureInfo.InvariantCulture),
            report.Failed.ToString(CultureInfo.InvariantCulture),
            report.SkippedAtCapacity.ToString(CultureInfo.InvariantCulture),
            report.AcceptedPerSecond.ToString("0.##", CultureInfo.InvariantCulture),
            report.P50Milliseconds.ToString("0.#", CultureInfo.InvariantCulture),
            report.P95Milliseconds.ToString("0.#", CultureInfo.InvariantCulture),
            report.P99Milliseconds.ToString("0.#", CultureInfo.InvariantCulture),
            report.MaxMilliseconds.ToString("0.#", CultureInfo.InvariantCulture));
        output.Out.Write(table);
        foreach (var (reason, count) in report.Failures.OrderByDescending(f => f.Value))
        {
            output.Line($"  failed: {count} x {reason}");
        }

        return report.Failed == 0 && report.SkippedAtCapacity == 0 ? ExitCodes.Ok : ExitCodes.Findings;
    }
}

using System.CommandLine;
using System.Globalization;
using Serverless.Cli.Output;
using Serverless.Local.Control;
using Serverless.Local.Embedded;
using Serverless.Local.Up;
using Spectre.Console;

namespace Serverless.Cli.Commands;

/// <summary>
/// <c>serverless up</c>: the whole system on this machine on embedded defaults, with replicas
/// scaled from zero by the scaler policy, a live view, and an orderly stop on Ctrl+C.
/// </summary>
internal sealed class UpCommand : Command
{
    private readonly Option<FileInfo> policy = PolicyOptions.Policy();
    private readonly Option<string?> environment = PolicyOptions.Environment("Environment of the policy to run (default: dev).");
    private readonly Option<string?> redis = new("--redis") { Description = "Use this Redis (host:port) instead of starting one." };
    private readonly Option<string?> postgres = new("--postgres") { Description = "Use this PostgreSQL (Npgsql connection string) instead of starting one." };
    private readonly Option<string?> temporal = new("--temporal")
    {
        Description = "Use this Temporal frontend (host:port). Default: $TEMPORAL_ADDRESS, else a dev server from the `temporal` CLI, else the SDK's download.",
        DefaultValueFactory = _ => System.Environment.GetEnvironmentVariable("TEMPORAL_ADDRESS"),
    };
    private readonly Option<bool> noPush = new("--no-push") { Description = "Wake queues only on their polling interval, as KEDA's built-in triggers do." };
    private readonly Option<int?> pollingInterval = new("--polling-interval") { Description = "Override every queue's pollingInterval (seconds)." };
    private readonly Option<int> apiPort = new("--api-port") { Description = "Loopback port of the HTTP API.", DefaultValueFactory = _ => 7070 };
    private readonly Option<TimeSpan?> duration = new("--duration") { Description = "Stop by itself after this long (e.g. 00:05:00); default: until Ctrl+C." };
    private readonly Option<string> configuration = new("--configuration", "-c") { Description = "Build configuration to run.", DefaultValueFactory = _ => "Release" };
    private readonly Option<DirectoryInfo?> hosts = new("--hosts") { Description = "Run the worker and consumer replicas from this ReadyToRun publish output (scripts/publish-hosts.sh; scripts/up.sh passes it); default: their build output." };

    public UpCommand()
        : base("up", "Run the whole system locally: Redis, PostgreSQL and Temporal (embedded unless given), the HTTP API, and workers and consumers scaled from zero by the scaler policy.")
    {
        foreach (var option in new Option[] { policy, environment, redis, postgres, temporal, noPush, pollingInterval, apiPort, duration, configuration, hosts })
        {
            Options.Add(option);
        }

        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var output = CliOutput.For(parseResult);
        var (loaded, exitCode) = PolicyOptions.Load(parseResult.GetRequiredValue(policy), output);
        if (loaded is null)
        {
            return exitCode;
        }

        if (PolicyOptions.Environment(loaded, parseResult.GetValue(environment) ?? "dev", output) is not { } env)
        {
            return ExitCodes.Usage;
        }

        var root = Deployables.FindRepositoryRoot(Directory.GetCurrentDirectory())
            ?? Deployables.FindRepositoryRoot(Path.GetDirectoryName(loaded.SourcePath)!);
        if (root is null)
        {
            output.Problem("run `serverless up` from the repository (Serverless.sln not found above this folder)");
            return ExitCodes.Usage;
        }

        var options = new LocalSystemOptions
        {
            RepositoryRoot = root,
            Configuration = parseResult.GetRequiredValue(configuration),
            HostsDirectory = parseResult.GetValue(hosts)?.FullName,
            Environment = env.Name,
            RedisAddress = parseResult.GetValue(redis),
            PostgresConnectionString = parseResult.GetValue(postgres),
            TemporalAddress = parseResult.GetValue(temporal),
            PushActivation = !parseResult.GetValue(noPush),
            PollingIntervalSeconds = parseResult.GetValue(pollingInterval),
            ApiPort = parseResult.GetValue(apiPort),
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (parseResult.GetValue(duration) is { } limit)
        {
            stop.CancelAfter(limit);
        }

        LocalSystem system;
        try
        {
            system = await LocalSystem.StartAsync(env, options, new Progress<string>(step => output.Line($"up: {step}")), stop.Token);
        }
        catch (PrerequisiteMissingException missing)
        {
            output.Problem($"up: cannot start: {missing.Message}");
            output.Problem("up: nothing was left running.");
            return ExitCodes.Usage;
        }
        catch (FileNotFoundException notBuilt)
        {
            output.Problem($"up: {notBuilt.Message}");
            return ExitCodes.Usage;
        }

        await using (system)
        {
            new LocalSession(system.ApiAddress, system.ApiKey).Save(root);
            foreach (var line in system.Summary)
            {
                output.Line(line);
            }

            output.Line($"up: logs in {system.LogDirectory} (scaling events in {Path.GetFileName(system.ScalingLog)}); Ctrl+C stops everything (replicas drain first).");
            output.Line($"up: try: serverless load --rate 2 --duration 00:02:00 --spike-factor 10 --spike-start 00:00:30 --spike-length 00:01:00");
            await ShowAsync(system, output, stop.Token);
            output.Line("up: stopping: draining replicas, then the API, the scaler, the simulators and the engines");
            LocalSession.Delete(root);
        }

        output.Line("up: stopped");
        return ExitCodes.Ok;
    }

    /// <summary>A live table when the terminal is interactive; otherwise scaling events as lines and a status table every 10 s.</summary>
    private static async Task ShowAsync(LocalSystem system, CliOutput output, CancellationToken cancellationToken)
    {
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            await AnsiConsole.Live(new Table()).StartAsync(async context =>
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    context.UpdateTarget(View(await system.StatusAsync(cancellationToken), system.Decisions.TakeLast(8)));
                    await Task.Delay(1000, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            });
            return;
        }

        system.Decided += decision => output.Line($"scale: {decision}");
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            output.Out.Write(StatusTable(await system.StatusAsync(CancellationToken.None)));
        }
    }

    private static Rows View(IReadOnlyList<QueueStatus> statuses, IEnumerable<ScalingDecision> recent) =>
        new(
            StatusTable(statuses),
            new Panel(new Rows(recent.Select(d => new Text(d.ToString())).DefaultIfEmpty(new Text("no scaling yet: every queue at its floor"))))
                .Header("scaling events"));

    private static Table StatusTable(IReadOnlyList<QueueStatus> statuses)
    {
        var table = new Table().AddColumns("queue", "deployment", "scaler metric", "in flight", "replicas", "processed/s", "last decision");
        foreach (var status in statuses)
        {
            table.AddRow(
                status.Queue,
                status.Deployment,
                $"{status.Metric?.ToString("0", CultureInfo.InvariantCulture) ?? "?"} ({status.Signal.ToString().ToLowerInvariant()})",
                status.InFlight?.ToString(CultureInfo.InvariantCulture) ?? "-",
                $"{status.RunningReplicas}/{status.DesiredReplicas} ({status.MinReplicas}..{status.MaxReplicas}){(status.Restarts > 0 ? $" {status.Restarts} restarts" : string.Empty)}",
                status.ProcessedPerSecond?.ToString("0.#", CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(status.LastDecision is { } d ? $"{d.At:HH:mm:ss} {d.From}->{d.To} {d.By}: {d.Reason}" : "-"));
        }

        return table;
    }
}

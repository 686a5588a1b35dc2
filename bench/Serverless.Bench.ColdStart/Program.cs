using System.Diagnostics;
using System.Globalization;
using Serverless.Local.Embedded;
using Serverless.Local.Processes;
using Serverless.Local.Up;

// Cold start = process start to ready, the part of scale-from-zero latency that is ours
// (architecture §4). The hosts as shipped (the composite ReadyToRun publish of scripts/publish-hosts.sh,
// what the images and `serverless up`'s replicas run) and the old build (the plain build output, JIT
// only) are started interleaved with a hello-world .NET program started the same way (`dotnet
// app.dll`): 3 rounds of `starts` starts each; each round's medians give its ratios, and the ratios
// reported are the medians of the rounds' ratios (the machine's load moves between rounds, not
// within one).
const int Rounds = 3;
var starts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var root = Deployables.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("run from the repository");
var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name;
var old = new Deployables(root, configuration);
var shipped = old.WithPublishedHosts();
var hello = Path.Combine(root, "bench", "Serverless.Bench.HelloWorld", "bin", configuration, "net10.0", "linux-x64", "Serverless.Bench.HelloWorld.dll");
using var work = new WorkDirectory();

Console.WriteLine($"cold start, {Rounds} rounds of {starts} starts each ({Environment.ProcessorCount} cores); shipped = {Deployables.PublishedHostsFolder} (self-contained composite ReadyToRun), old build = bin/{configuration}");
await using var redis = await LocalRedis.StartAsync(work.Path, CancellationToken.None);
var pgBin = LocalPostgres.FindBinaries() ?? throw new InvalidOperationException("PostgreSQL binaries (initdb, pg_ctl) are needed for the consumer host");
await using var postgres = await LocalPostgres.StartAsync(pgBin, work.Path, CancellationToken.None);

// The worker is live (serving probes, polling started) before Temporal answers; readiness also waits
// for Temporal, which is not part of our start-up time: measure /health/live.
Dictionary<string, string?> WorkerSettings() => new()
{
    ["Serverless__Environment"] = "dev",
    ["Temporal__Address"] = $"127.0.0.1:{HostTools.FreePort()}",
    ["Redis__Configuration"] = redis.Address,
    ["Workers__Poll"] = "payments",
};

// The consumer is ready when it reads its stream and PostgreSQL and Redis answer: its first read.
Dictionary<string, string?> ConsumerSettings() => new()
{
    ["Serverless__Environment"] = "dev",
    ["Consumer__Handler"] = "audit",
    ["Redis__Configuration"] = redis.Address,
    ["Postgres__ConnectionString"] = postgres.ConnectionString,
};

var series = new (string Name, Func<Task> Start)[]
{
    ("hello world (exit)", async () =>
    {
        await using var process = ManagedProcess.StartDotnet("hello", hello, new Dictionary<string, string?>());
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
    }),
    ("worker, shipped (/health/live)", () => UntilHealthyAsync(shipped.Workers, "health/live", WorkerSettings())),
    ("consumer, shipped (/health/ready)", () => UntilHealthyAsync(shipped.Consumers, "health/ready", ConsumerSettings())),
    ("worker, old build (/health/live)", () => UntilHealthyAsync(old.Workers, "health/live", WorkerSettings())),
    ("consumer, old build (/health/ready)", () => UntilHealthyAsync(old.Consumers, "health/ready", ConsumerSettings())),
};

var ratios = new List<double[]>();
for (var round = 1; round <= Rounds; round++)
{
    var times = series.Select(_ => new List<double>()).ToArray();
    for (var i = 0; i < starts; i++)
    {
        for (var s = 0; s < series.Length; s++)
        {
            var clock = Stopwatch.StartNew();
            await series[s].Start();
            times[s].Add(clock.Elapsed.TotalMilliseconds);
        }
    }

    var medians = times.Select(Median).ToArray();
    Console.WriteLine($"round {round}:");
    for (var s = 0; s < series.Length; s++)
    {
        var ratio = s == 0 ? string.Empty : $"   {medians[s] / medians[0],5:0.0}x";
        Console.WriteLine($"  {series[s].Name,-36} median {medians[s],6:0} ms   min {times[s].Min(),6:0} ms   max {times[s].Max(),6:0} ms{ratio}");
    }

    ratios.Add([.. medians.Skip(1).Select(m => m / medians[0])]);
}

var median = Enumerable.Range(0, series.Length - 1).Select(s => Median(ratios.Select(r => r[s]))).ToArray();
Console.WriteLine();
Console.WriteLine($"start-to-ready/hello-world: worker {median[0]:0.0}x, consumer {median[1]:0.0}x (median of {Rounds}; old build {median[2]:0.0}x, {median[3]:0.0}x)");
return 0;

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

static async Task UntilHealthyAsync(string assembly, string probe, Dictionary<string, string?> settings)
{
    var port = HostTools.FreePort();
    settings["Urls"] = $"http://127.0.0.1:{port}";
    settings["Logging__LogLevel__Default"] = "Warning";
    await using var process = ManagedProcess.StartDotnet(Path.GetFileNameWithoutExtension(assembly), assembly, settings);
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(2) };
    var deadline = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(probe, UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }

        if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
        {
            throw new InvalidOperationException($"{assembly} never answered {probe} 200:\n{process.Output}");
        }

        await Task.Delay(5);
    }
}

/// <summary>A temporary folder for the engines, removed at the end.</summary>
internal sealed class WorkDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("serverless-bench-coldstart-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

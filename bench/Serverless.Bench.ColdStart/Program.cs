using System.Diagnostics;
using System.Globalization;
using Serverless.Local.Embedded;
using Serverless.Local.Processes;
using Serverless.Local.Up;

// Cold start = process start to ready, the part of scale-from-zero latency that is ours
// (architecture §4). Each host is started `runs` times; medians are compared with a hello-world
// .NET program started the same way (`dotnet app.dll`), measured in the same run.
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
var root = Deployables.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("run from the repository");
var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name;
var deployables = new Deployables(root, configuration);
var hello = Path.Combine(root, "bench", "Serverless.Bench.HelloWorld", "bin", configuration, "net10.0", "linux-x64", "Serverless.Bench.HelloWorld.dll");
using var work = new WorkDirectory();

Console.WriteLine($"cold start, {runs} runs each ({configuration} build, {Environment.ProcessorCount} cores)");
await using var redis = await LocalRedis.StartAsync(work.Path, CancellationToken.None);
var pgBin = LocalPostgres.FindBinaries() ?? throw new InvalidOperationException("PostgreSQL binaries (initdb, pg_ctl) are needed for the consumer host");
await using var postgres = await LocalPostgres.StartAsync(pgBin, work.Path, CancellationToken.None);

var baseline = await MeasureAsync("hello world (exit)", runs, async () =>
{
    await using var process = ManagedProcess.StartDotnet("hello", hello, new Dictionary<string, string?>());
    await process.WaitForExitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
});

// The worker is live (serving probes, polling started) before Temporal answers; readiness also waits
// for Temporal, which is not part of our start-up time: measure /health/live.
var worker = await MeasureAsync("worker host (/health/live 200)", runs, () => UntilHealthyAsync(deployables.Workers, "health/live", new()
{
    ["Serverless__Environment"] = "dev",
    ["Temporal__Address"] = $"127.0.0.1:{HostTools.FreePort()}",
    ["Redis__Configuration"] = redis.Address,
    ["Workers__Poll"] = "payments",
}));

// The consumer is ready when it reads its stream and PostgreSQL and Redis answer: its first read.
var consumer = await MeasureAsync("consumer host (/health/ready 200)", runs, () => UntilHealthyAsync(deployables.Consumers, "health/ready", new()
{
    ["Serverless__Environment"] = "dev",
    ["Consumer__Handler"] = "audit",
    ["Redis__Configuration"] = redis.Address,
    ["Postgres__ConnectionString"] = postgres.ConnectionString,
}));

Console.WriteLine();
Console.WriteLine($"worker   / hello world: {worker / baseline:0.0}x  ({worker:0} ms vs {baseline:0} ms median)");
Console.WriteLine($"consumer / hello world: {consumer / baseline:0.0}x  ({consumer:0} ms vs {baseline:0} ms median)");
return 0;

static async Task<double> MeasureAsync(string name, int runs, Func<Task> start)
{
    var times = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var clock = Stopwatch.StartNew();
        await start();
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    var median = times[times.Count / 2];
    Console.WriteLine($"{name,-36} median {median,7:0} ms   min {times[0],7:0} ms   max {times[^1],7:0} ms");
    return median;
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

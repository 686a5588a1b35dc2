using System.Diagnostics;
using System.Globalization;
using Serverless.Bench.ScalerSimulation;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Simulation;
using Serverless.Scaling.Traffic;

// 24 h at 1-second steps for 10 queues: the prod queues of keda/scalers.yaml, and the same queues at a floor
// of zero (the scale-to-zero paths). Budget from the issue: under 1 s on this machine.
const int Repetitions = 5;
const double BudgetSeconds = 1.0;

var policyPath = args.Length > 0 ? args[0] : RepositoryFiles.Policy();
var loaded = PolicyLoader.Load(policyPath);
if (loaded.Policy?.Find("prod") is not { } prod)
{
    Console.Error.WriteLine($"cannot load the prod environment of {policyPath}: {string.Join("; ", loaded.Diagnostics)}");
    return 2;
}

var queues = prod.Queues
    .Concat(prod.Queues.Select(q => q with { Name = q.Name + "-from-zero", Scaling = q.Scaling with { MinReplicas = 0 } }))
    .ToList();
var day = Stopwatch.StartNew();
var trace = GeneratedDay.Create(prod.Traffic, seed: 1);
var arrivals = queues.Select(q => trace.ItemsFor(q)).ToList();
day.Stop();

double Simulate(out long simulatedSeconds)
{
    var clock = Stopwatch.StartNew();
    long seconds = 0;
    for (var i = 0; i < queues.Count; i++)
    {
        seconds += QueueSimulator.Run(queues[i], prod.Cluster, arrivals[i], SimulationOptions.Default).Summary.SimulatedSeconds;
    }

    simulatedSeconds = seconds;
    return clock.Elapsed.TotalSeconds;
}

// Baseline: the cheapest possible pass over the same arrivals (a fixed-capacity queue recurrence), timed in
// this run, so the ratio says what the KEDA + HPA model costs independent of the machine's speed.
double Baseline()
{
    var clock = Stopwatch.StartNew();
    double sink = 0;
    for (var i = 0; i < queues.Count; i++)
    {
        var capacity = queues[i].Workload.ServiceRatePerReplica * queues[i].Scaling.MaxReplicas;
        double backlog = 0;
        foreach (var items in arrivals[i])
        {
            backlog = Math.Max(0, backlog + items - capacity);
            sink += backlog;
        }
    }

    GC.KeepAlive(sink);
    return clock.Elapsed.TotalSeconds;
}

Simulate(out _);
Baseline();
var runs = new List<double>();
var baselines = new List<double>();
long simulated = 0;
for (var r = 0; r < Repetitions; r++)
{
    runs.Add(Simulate(out simulated));
    baselines.Add(Baseline());
}

var median = runs.Order().ElementAt(Repetitions / 2);
var baseline = baselines.Order().ElementAt(Repetitions / 2);
var c = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(c, $"scaler simulation: {queues.Count} queues x 24 h at 1 s steps ({simulated:N0} simulated seconds incl. drain tails), median of {Repetitions}"));
Console.WriteLine(string.Create(c, $"  model:    {median * 1000:0.0} ms  ->  {simulated / median:N0} simulated s per wall s"));
Console.WriteLine(string.Create(c, $"  baseline: {baseline * 1000:0.0} ms  (fixed-capacity queue recurrence over the same arrivals)"));
Console.WriteLine(string.Create(c, $"  ratio model/baseline: {median / baseline:0.0}x"));
Console.WriteLine(string.Create(c, $"  arrivals generated in {day.Elapsed.TotalMilliseconds:0.0} ms (not included above)"));
Console.WriteLine(string.Create(c, $"  budget {BudgetSeconds:0.0} s: {(median < BudgetSeconds ? "within" : "OVER")} ({median / BudgetSeconds * 100:0} % used)"));
return 0;

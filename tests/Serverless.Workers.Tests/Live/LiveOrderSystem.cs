using System.Globalization;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Testing;
using Serverless.Local.Processes;
using Serverless.Testing.Processes;

namespace Serverless.Workers.Tests.Live;

/// <summary>
/// The order system on a live Temporal dev server: simulators on Kestrel and worker pools as real
/// processes (so a test can SIGKILL one mid-activity, exactly as a node failure would).
/// </summary>
internal sealed class LiveOrderSystem(TemporalDevServerFixture temporal, SimulatorHost simulators, string redis) : IAsyncDisposable
{
    private readonly List<ManagedProcess> workers = [];

    public SimulatorHost Simulators { get; } = simulators;

    /// <summary>Starts the simulators; workers use the test run's Redis, or <paramref name="redis"/> when a test needs one of its own.</summary>
    public static async Task<LiveOrderSystem> StartAsync(
        TemporalDevServerFixture temporal, IReadOnlyDictionary<string, string?>? simulatorSettings = null, Func<Task<string>>? redis = null)
    {
        Engines.RequireTemporalCli();
        var address = redis is null ? Engines.RequireRedis() : await redis();
        var simulators = await SimulatorHost.StartAsync(simulatorSettings, cancellationToken: TestContext.Current.CancellationToken);
        return new LiveOrderSystem(temporal, simulators, address);
    }

    /// <summary>Starts a worker pool for <paramref name="poll"/> and waits until it reports ready.</summary>
    public async Task<ManagedProcess> StartWorkerAsync(string poll)
    {
        var worker = await WorkerProcess.StartAsync(temporal.TargetHost, TemporalDevServerFixture.Namespace, Simulators, redis, poll);
        workers.Add(worker);
        return worker;
    }

    public static OrderInput Order(string idempotencyKey, string token = "tok_visa") => new(
        OrderStarter.OrderIdFor(idempotencyKey),
        "cust-live",
        [new OrderLine("SKU-LIVE", 2, 12.5m)],
        "EUR",
        token);

    public Task<OrderStart> StartOrderAsync(OrderInput order) =>
        OrderStarter.StartOrGetAsync(temporal.Environment!.Client, "dev", order, TestContext.Current.CancellationToken);

    /// <summary>The Prometheus busy-slot gauge of a worker, for the task queue given.</summary>
    public static async Task<double> BusySlotsAsync(ManagedProcess worker, string taskQueue)
    {
        var address = await worker.ListeningAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = address };
        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        var line = metrics.Split('\n').FirstOrDefault(l =>
            l.StartsWith("serverless_worker_busy_slots{", StringComparison.Ordinal)
            && l.Contains($"task_queue=\"{taskQueue}\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in workers)
        {
            await worker.DisposeAsync();
        }

        await Simulators.DisposeAsync();
    }
}

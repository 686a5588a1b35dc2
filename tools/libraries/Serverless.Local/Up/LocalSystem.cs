using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Serverless.Catalog;
using Serverless.Local.Control;
using Serverless.Local.Embedded;
using Serverless.Local.Processes;
using Serverless.Local.Replicas;
using Serverless.Scaling.Policy;
using StackExchange.Redis;

namespace Serverless.Local.Up;

/// <summary>
/// The whole system on one machine: engines, the simulators, the push scaler, the HTTP functions on
/// Kestrel, and one replica set per queue of the scaler policy, starting at zero and scaled by a
/// <see cref="QueueController"/> with KEDA's and the HPA's rules. Disposing stops everything in
/// reverse order, draining replicas first.
/// </summary>
public sealed class LocalSystem : IAsyncDisposable
{
    /// <summary>The state key prefix the functions (reads) and the projection (writes) share.</summary>
    private const string StateKeyPrefix = "orders";

    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private readonly Stack<IAsyncDisposable> started = new();
    private readonly List<(QueueController Controller, QueuePolicy Queue)> controllers = [];
    private readonly ConcurrentQueue<ScalingDecision> decisions = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> running = [];
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("serverless-up-");
    private QueueActivityProbe? activity;

    private LocalSystem(EnvironmentPolicy policy, LocalSystemOptions options)
    {
        Policy = policy;
        Options = options;
        Deployables = new Deployables(options.RepositoryRoot, options.Configuration, options.HostsDirectory);
    }

    public event Action<ScalingDecision>? Decided;

    public EnvironmentPolicy Policy { get; }

    public LocalSystemOptions Options { get; }

    public Deployables Deployables { get; }

    public Uri ApiAddress { get; private set; } = null!;

    public string ApiKey { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public string RedisAddress { get; private set; } = null!;

    public string? PostgresConnectionString { get; private set; }

    public string TemporalAddress { get; private set; } = null!;

    /// <summary>Where logs of every process are written.</summary>
    public string LogDirectory => work.FullName;

    /// <summary>Every scaling decision, one line each.</summary>
    public string ScalingLog => Path.Combine(work.FullName, "scaling-events.log");

    /// <summary>One line per engine and process: what runs where.</summary>
    public List<string> Summary { get; } = [];

    public IReadOnlyCollection<ScalingDecision> Decisions => decisions;

    public static async Task<LocalSystem> StartAsync(EnvironmentPolicy policy, LocalSystemOptions options, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var system = new LocalSystem(policy, options);
        try
        {
            await system.StartEnginesAsync(progress, cancellationToken);
            await system.StartServicesAsync(progress, cancellationToken);
            system.StartControllers(progress);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    public async Task<IReadOnlyList<QueueStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        var statuses = new List<QueueStatus>();
        foreach (var (controller, queue) in controllers)
        {
            statuses.Add(controller.Status(activity is null ? null : await activity.ReadAsync(queue, cancellationToken)));
        }

        return statuses;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (started.TryPop(out var resource))
        {
            await resource.DisposeAsync();
        }

        foreach (var (controller, _) in controllers)
        {
            controller.Dispose();
        }

        stopping.Dispose();
        work.Delete(recursive: true);
    }

    private async Task StartEnginesAsync(IProgress<string> progress, CancellationToken cancellationToken)
    {
        // Temporal first: it is the prerequisite most often missing, and nothing else has started yet.
        progress.Report("starting Temporal");
        var temporal = await LocalTemporal.StartAsync(Options.TemporalAddress, LocalTemporal.FindCli(), Options.Environment, cancellationToken);
        started.Push(temporal);
        TemporalAddress = temporal.Address;
        Summary.Add($"Temporal    {temporal.Address} (namespace {Options.Environment}, {temporal.Source})");

        if (Options.RedisAddress is { } redisAddress)
        {
            RedisAddress = redisAddress;
            Summary.Add($"Redis       {redisAddress} (configured)");
        }
        else
        {
            progress.Report("starting Redis");
            var redis = await LocalRedis.StartAsync(work.FullName, cancellationToken);
            started.Push(redis);
            RedisAddress = redis.Address;
            Summary.Add($"Redis       {redis.Address} (throwaway redis-server)");
        }

        if (Options.PostgresConnectionString is { } postgres)
        {
            PostgresConnectionString = postgres;
            Summary.Add("PostgreSQL  configured connection string");
        }
        else if (LocalPostgres.FindBinaries() is { } binaries)
        {
            progress.Report("starting PostgreSQL");
            var cluster = await LocalPostgres.StartAsync(binaries, work.FullName, cancellationToken);
            started.Push(cluster);
            PostgresConnectionString = cluster.ConnectionString;
            Summary.Add($"PostgreSQL  {cluster.ConnectionString} (throwaway cluster)");
        }
        else
        {
            Summary.Add("PostgreSQL  not installed: running without it (stream consumers are off; order status comes from the workflow). Install postgresql to get them.");
        }

        var connection = await ConnectionMultiplexer.ConnectAsync(RedisAddress);
        started.Push(connection);
        activity = new QueueActivityProbe(connection, temporal.Client, Options.Environment, Options.Environment);
    }

    private async Task StartServicesAsync(IProgress<string> progress, CancellationToken cancellationToken)
    {
        progress.Report("starting the payment gateway and inventory simulators");
        var simulators = await StartProcessAsync("simulators", Deployables.Simulators, new Dictionary<string, string?>(), cancellationToken);
        SimulatorsAddress = await simulators.ListeningAsync(StartBound, cancellationToken);
        Summary.Add($"Simulators  {SimulatorsAddress}");

        progress.Report("starting the push scaler");
        var scaler = await PushScalerProcess.StartAsync(Deployables, Options.Environment, RedisAddress, TemporalAddress, Path.Combine(work.FullName, "scaler.log"), cancellationToken);
        started.Push(scaler);
        ScalerAddress = scaler.GrpcAddress;
        ScalerNotifyAddress = scaler.NotifyAddress;
        Summary.Add($"Scaler      grpc {ScalerAddress}, notifications {ScalerNotifyAddress}");

        progress.Report("starting the HTTP functions (Kestrel self-host)");
        var functions = await StartProcessAsync("functions", Deployables.Functions, new Dictionary<string, string?>
        {
            ["Urls"] = $"http://127.0.0.1:{(Options.ApiPort == 0 ? HostTools.FreePort() : Options.ApiPort).ToString(CultureInfo.InvariantCulture)}",
            ["Management__Port"] = "0",
            ["SelfHost__ApiKeys__local"] = ApiKey,
            ["Functions__ScalerNotifyUrl"] = ScalerNotifyAddress.ToString(),
        }, cancellationToken);
        ApiAddress = await functions.ListeningAsync(StartBound, cancellationToken);
        Summary.Add($"HTTP API    {ApiAddress}api/orders (header X-Api-Key: {ApiKey})");
    }

    private Uri SimulatorsAddress { get; set; } = null!;

    private Uri ScalerAddress { get; set; } = null!;

    private Uri ScalerNotifyAddress { get; set; } = null!;

    private void StartControllers(IProgress<string> progress)
    {
        var scaler = new ScalerConnection(ScalerAddress);
        started.Push(new DisposeAction(scaler.Dispose));
        var templates = new ReplicaTemplates(Deployables, Common(), SimulatorsAddress, work.FullName, ServiceCatalog.Shipped);
        foreach (var queue in Policy.Queues.Where(q => Options.Queues?.Contains(q.Name) ?? true))
        {
            if (queue.Source is RedisStreamSource && PostgresConnectionString is null)
            {
                Summary.Add($"Queue       {queue.Name}: off (its consumer needs PostgreSQL)");
                continue;
            }

            var policy = Options.PollingIntervalSeconds is { } polling
                ? queue with { Scaling = queue.Scaling with { PollingIntervalSeconds = polling } }
                : queue;
            var replicas = new ReplicaSet(queue.Deployment, ordinal => templates.Start(policy, ordinal), TimeSpan.FromSeconds(20));
            started.Push(replicas);
            var controller = new QueueController(
                policy,
                Policy.Cluster,
                scaler,
                ScalerConnection.ReferenceFor(policy, Options.Environment, Options.Environment),
                replicas,
                Options.PushActivation,
                decision =>
                {
                    lock (decisions)
                    {
                        File.AppendAllText(ScalingLog, decision + Environment.NewLine);
                    }

                    decisions.Enqueue(decision);
                    while (decisions.Count > 200)
                    {
                        decisions.TryDequeue(out _);
                    }

                    Decided?.Invoke(decision);
                });
            controllers.Add((controller, policy));
            running.Add(controller.RunAsync(stopping.Token));
            Summary.Add($"Queue       {queue.Name} -> {queue.Deployment}: replicas {queue.Scaling.MinReplicas}..{queue.Scaling.MaxReplicas}, target {queue.Scaling.TargetPerReplica}/replica, polling {policy.Scaling.PollingIntervalSeconds} s, cooldown {queue.Scaling.CooldownSeconds} s{(Options.PushActivation ? ", push activation" : string.Empty)}");
        }

        progress.Report("controllers running");
    }

    /// <summary>Settings every process of the system shares.</summary>
    private Dictionary<string, string?> Common() => new()
    {
        ["Urls"] = "http://127.0.0.1:0",
        ["Serverless__Environment"] = Options.Environment,
        ["Temporal__Address"] = TemporalAddress,
        ["Temporal__Namespace"] = Options.Environment,
        ["Redis__Configuration"] = RedisAddress,
        // Without PostgreSQL nothing listens here: readers fall back to the workflow and say so.
        ["Postgres__ConnectionString"] = PostgresConnectionString ?? "Host=127.0.0.1;Port=1;Username=serverless;Database=serverless",
        ["State__KeyPrefix"] = StateKeyPrefix,
        // The orders pool relays orders the API accepted into the outbox while Temporal was away (only
        // the process polling the orders queue runs it; it needs PostgreSQL).
        ["Outbox__Relay__Enabled"] = PostgresConnectionString is null ? "false" : "true",
        ["Shutdown__Budget"] = "00:00:15",
        ["Shutdown__CleanupReserve"] = "00:00:03",
    };

    private async Task<ManagedProcess> StartProcessAsync(string name, string assembly, Dictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var environment = Common();
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = ManagedProcess.StartDotnet(name, assembly, environment);
        process.WriteLogTo(Path.Combine(work.FullName, name + ".log"));
        started.Push(new DisposeAction(async () =>
        {
            await process.StopAsync(TimeSpan.FromSeconds(20));
            await process.DisposeAsync();
        }));
        await Task.Yield();
        if (process.HasExited)
        {
            throw new InvalidOperationException($"{name} exited at once: {process.Output}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        return process;
    }

    private sealed class DisposeAction : IAsyncDisposable
    {
        private readonly Func<ValueTask> dispose;

        public DisposeAction(Action dispose) => this.dispose = () =>
        {
            dispose();
            return ValueTask.CompletedTask;
        };

        public DisposeAction(Func<Task> dispose) => this.dispose = async () => await dispose();

        public ValueTask DisposeAsync() => dispose();
    }
}

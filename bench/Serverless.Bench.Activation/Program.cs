using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Serverless.Local.Control;
using Serverless.Local.Embedded;
using Serverless.Local.Replicas;
using Serverless.Local.Up;
using Serverless.Platform.Messaging;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;
using StackExchange.Redis;

// Activation latency = event published to an idle stream → handled by a consumer that had to be
// started from zero. Same stream, consumer, scaler and controller in every mode; only how the
// controller learns of the event differs: the push scaler's stream (KEDA external-push), or
// polling at 1 s, or polling at KEDA's default of 30 s.
var trials = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var root = Deployables.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("run from the repository");
var deployables = new Deployables(root, new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name);
var work = Directory.CreateTempSubdirectory("serverless-bench-activation-").FullName;
try
{
    await using var redis = await LocalRedis.StartAsync(work, CancellationToken.None);
    await using var postgres = await LocalPostgres.StartAsync(
        LocalPostgres.FindBinaries() ?? throw new InvalidOperationException("PostgreSQL binaries (initdb, pg_ctl) are needed for the consumer"), work, CancellationToken.None);
    await using var scaler = await PushScalerProcess.StartAsync(deployables, "dev", redis.Address, temporalAddress: null, logFile: null, CancellationToken.None);
    await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);

    Console.WriteLine($"activation from zero, {trials} trials per mode; each event published at a random moment of the polling interval");
    var push = await MeasureAsync("push (external-push, polling 30 s)", pollingSeconds: 30, push: true);
    var poll1 = await MeasureAsync("polling every 1 s", pollingSeconds: 1, push: false);
    var poll30 = await MeasureAsync("polling every 30 s (KEDA default)", pollingSeconds: 30, push: false);
    Console.WriteLine();
    Console.WriteLine($"polling 1 s  / push: {poll1 / push:0.0}x  ({poll1:0} ms vs {push:0} ms median)");
    Console.WriteLine($"polling 30 s / push: {poll30 / push:0.0}x  ({poll30:0} ms vs {push:0} ms median)");

    async Task<double> MeasureAsync(string mode, int pollingSeconds, bool push)
    {
        var topic = $"act{Guid.NewGuid():N}"[..12];
        var queue = Policy(topic, pollingSeconds);
        var templates = new ReplicaTemplates(deployables, "dev", new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Serverless__Environment"] = "dev",
            ["Redis__Configuration"] = redis.Address,
            ["Postgres__ConnectionString"] = postgres.ConnectionString,
            ["Consumer__BlockTime"] = "00:00:00.500",
            ["Logging__LogLevel__Default"] = "Warning",
        }, simulators: null, work);
        await using var replicas = new ReplicaSet(queue.Deployment, ordinal => templates.Start(queue, ordinal), TimeSpan.FromSeconds(15));
        using var scalerConnection = new ScalerConnection(scaler.GrpcAddress);
        using var controller = new QueueController(queue, ClusterSettings.Default, scalerConnection, ScalerConnection.ReferenceFor(queue, "dev", "dev"), replicas, push, _ => { });
        using var stop = new CancellationTokenSource();
        var running = controller.RunAsync(stop.Token);
        var stream = queue.Source is RedisStreamSource s ? s.PhysicalStream("dev") : throw new InvalidOperationException();
        var latencies = new List<double>();
        for (var trial = 1; trial <= trials; trial++)
        {
            await UntilAsync(() => Task.FromResult(replicas.Desired == 0 && replicas.Running == 0), TimeSpan.FromMinutes(3));

            // Scale-in happens on a poll: publishing right after it would always hit polling's worst
            // case. Events arrive at any moment, so wait a random part of the polling interval first.
#pragma warning disable CA5394 // Timing jitter for a benchmark, not security.
            await Task.Delay(TimeSpan.FromSeconds(Random.Shared.NextDouble() * pollingSeconds));
#pragma warning restore CA5394
            var clock = Stopwatch.StartNew();
            await connection.GetDatabase().StreamAddAsync(stream, "data", Event(trial));
            await UntilAsync(() => HandledAsync(connection, stream, trial), TimeSpan.FromMinutes(2));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            Console.WriteLine($"  {mode}: trial {trial}: {clock.Elapsed.TotalMilliseconds:0} ms");
        }

        await stop.CancelAsync();
        await running;
        latencies.Sort();
        var median = latencies[latencies.Count / 2];
        Console.WriteLine($"{mode,-36} median {median,7:0} ms   min {latencies[0],7:0} ms   max {latencies[^1],7:0} ms");
        return median;
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

static async Task<bool> HandledAsync(ConnectionMultiplexer redis, string stream, int count)
{
    var group = (await redis.GetDatabase().StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == "audit");
    return group.Name is not null && group.EntriesRead >= count && group.PendingMessageCount == 0;
}

static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound)
{
    var clock = Stopwatch.StartNew();
    while (!await condition())
    {
        if (clock.Elapsed > bound)
        {
            throw new TimeoutException($"not reached within {bound}");
        }

        await Task.Delay(5);
    }
}

static byte[] Event(int n) => CloudEventFactory.Serialize(new CloudEvent
{
    Id = $"activation-{Guid.NewGuid():N}",
    Source = "bench",
    Type = "OrderPlaced",
    Subject = $"s-{n}",
    Data = JsonSerializer.SerializeToElement(new { n }),
});

static QueuePolicy Policy(string topic, int pollingSeconds)
{
    var yaml = $"""
        version: 1
        connections:
          redis:
            address: "redis:6379"
            passwordSecret: {"{"}name: redis, key: password{"}"}
        traffic:
          ordersPerDay: 1000
          peakToMeanRatio: 1.5
          peakHour: 12
          spike: {"{"}factor: 2, startHour: 12, minutes: 10{"}"}
        defaults:
          pollingIntervalSeconds: {pollingSeconds}
          cooldownSeconds: 2
        queues:
          audit:
            kind: redis-stream
            deployment: audit-consumer
            stream: "{"{"}environment{"}"}-{topic}"
            consumerGroup: audit
            metric: lag
            targetPerReplica: 50
            minReplicas: 0
            maxReplicas: 1
            workload: {"{"}itemsPerOrder: 1, serviceRatePerReplica: 100, concurrencyPerReplica: 10, startupSeconds: 1, longestTaskSeconds: 1{"}"}
            slo: {"{"}queueWaitSeconds: 60{"}"}
        environments:
          dev: {"{"}{"}"}
        """;
    var loaded = PolicyLoader.Parse(yaml, "activation-bench.yaml");
    return loaded.HasErrors
        ? throw new InvalidOperationException(string.Join('\n', loaded.Diagnostics))
        : loaded.Policy!.Find("dev")!.FindQueue("audit")!;
}

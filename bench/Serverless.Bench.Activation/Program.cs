using System.Diagnostics;
using System.Globalization;
using Serverless.Bench.Streams;
using Serverless.Local.Control;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;
using StackExchange.Redis;

// Activation latency = event published to an idle stream → handled by a consumer that had to be
// started from zero. Same stream, consumer, scaler and controller in every mode; only how the
// controller learns of the event differs: the push scaler's stream (KEDA external-push), or
// polling at 1 s, or polling at KEDA's default of 30 s. Push is measured twice: with the consumer host
// as shipped (composite ReadyToRun, scripts/publish-hosts.sh) and with its old build (the plain build output),
// the cold start being most of push activation; the polling modes run the shipped host.
var trials = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
await using var rig = await ScalingRig.StartAsync("activation");
Console.WriteLine($"activation from zero, {trials} trials per mode; each event published at a random moment of the polling interval");
var push = await MeasureAsync("push (external-push, polling 30 s)", pollingSeconds: 30, push: true);
var pushOld = await MeasureAsync("push, old build", pollingSeconds: 30, push: true, shipped: false);
var poll1 = await MeasureAsync("polling every 1 s", pollingSeconds: 1, push: false);
var poll30 = await MeasureAsync("polling every 30 s (KEDA default)", pollingSeconds: 30, push: false);
Console.WriteLine();
Console.WriteLine($"polling 1 s  / push: {poll1 / push:0.0}x  ({poll1:0} ms vs {push:0} ms median)");
Console.WriteLine($"polling 30 s / push: {poll30 / push:0.0}x  ({poll30:0} ms vs {push:0} ms median)");
Console.WriteLine($"push activation from zero, shipped / old build: {push / pushOld:0.00}x  ({push:0} ms vs {pushOld:0} ms median)");

async Task<double> MeasureAsync(string mode, int pollingSeconds, bool push, bool shipped = true)
{
    var topic = $"act{Guid.NewGuid():N}"[..12];
    var queue = AuditConsumer.Policy(topic, pollingSeconds, cooldownSeconds: 2, maxReplicas: 1, TriggerActivation.Poll);
    await using var replicas = rig.ConsumerReplicas(queue, topic, shipped);
    using var scalerConnection = new ScalerConnection(rig.Scaler.GrpcAddress);
    using var controller = new QueueController(queue, ClusterSettings.Default, scalerConnection, ScalerConnection.ReferenceFor(queue, "dev", "dev"), replicas, push, _ => { });
    using var stop = new CancellationTokenSource();
    var running = controller.RunAsync(stop.Token);
    var stream = queue.Source is RedisStreamSource s ? s.PhysicalStream("dev") : throw new InvalidOperationException();
    var latencies = new List<double>();
    for (var trial = 1; trial <= trials; trial++)
    {
        await AuditConsumer.UntilAsync(() => Task.FromResult(replicas.Desired == 0 && replicas.Running == 0), TimeSpan.FromMinutes(3), "back to zero replicas");

        // Scale-in happens on a poll: publishing right after it would always hit polling's worst
        // case. Events arrive at any moment, so wait a random part of the polling interval first.
#pragma warning disable CA5394 // Timing jitter for a benchmark, not security.
        await Task.Delay(TimeSpan.FromSeconds(Random.Shared.NextDouble() * pollingSeconds));
#pragma warning restore CA5394
        var clock = Stopwatch.StartNew();
        await rig.Connection.GetDatabase().StreamAddAsync(stream, "data", AuditConsumer.Event("activation", trial));
        await AuditConsumer.UntilAsync(() => HandledAsync(rig.Connection, stream, trial), TimeSpan.FromMinutes(2), "event handled");
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

static async Task<bool> HandledAsync(ConnectionMultiplexer redis, string stream, int count)
{
    var group = (await redis.GetDatabase().StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == "audit");
    return group.Name is not null && group.EntriesRead >= count && group.PendingMessageCount == 0;
}

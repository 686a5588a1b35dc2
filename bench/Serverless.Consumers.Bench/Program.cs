using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Serverless.Local.Embedded;
using Serverless.Platform.Json;
using Serverless.Platform.Messaging;
using StackExchange.Redis;

// Drain rate of ONE consumer process (the production audit handler with the idempotency inbox on:
// one PostgreSQL transaction per read batch, one pipelined XACK) against redis-benchmark's XADD
// rate (50 clients) on the same Redis, interleaved in each of 3 rounds; prints the medians and, as
// its last line, their ratio. Usage:
// dotnet run -c Release --project bench/Serverless.Consumers.Bench [-- events [concurrency [batch size]]]
const int Rounds = 3;
var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
// Enough slots for several batches in flight, each a transaction of its own.
var concurrency = args.Length > 1 ? args[1] : "1024";
var batchSize = args.Length > 2 ? args[2] : "256";
var work = Directory.CreateTempSubdirectory("serverless-bench-consumer-").FullName;
// Removed after the engines below are stopped (their disposal ends with the program's last statement).
AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(work, recursive: true);
await using var redisServer = await LocalRedis.StartAsync(work, CancellationToken.None);
await using var postgresCluster = await LocalPostgres.StartAsync(
    LocalPostgres.FindBinaries() ?? throw new InvalidOperationException("PostgreSQL binaries (initdb, pg_ctl) are needed"), work, CancellationToken.None);
var redisPort = int.Parse(redisServer.Address.Split(':')[1], CultureInfo.InvariantCulture);
await using var redis = await ConnectionMultiplexer.ConnectAsync(redisServer.Address);

var drains = new List<double>();
var xadds = new List<double>();
for (var round = 1; round <= Rounds; round++)
{
    var xadd = await RedisBenchmarkXaddAsync(redisPort, events);
    var drain = await DrainAsync(redis.GetDatabase(), $"bench{round}", events);
    Console.WriteLine($"round {round}: consumer drain {drain,10:N0} events/s, redis-benchmark XADD {xadd,10:N0} requests/s, ratio {drain / xadd:F2}");
    drains.Add(drain);
    xadds.Add(xadd);
}

var drainMedian = Median(drains);
var xaddMedian = Median(xadds);
Console.WriteLine($"events per round:                {events} (Consumer:Concurrency {concurrency}, Consumer:BatchSize {batchSize})");
Console.WriteLine($"consumer drain (1 process):      {drainMedian,10:N0} events/s  (audit handler, inbox on, batch transaction + pipelined XACK, median of {Rounds})");
Console.WriteLine($"redis-benchmark XADD (baseline): {xaddMedian,10:N0} requests/s (50 clients, no pipelining, median of {Rounds})");
Console.WriteLine($"consumer-drain/xadd = {drainMedian / xaddMedian:F2} (inbox on, median of {Rounds})");

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

// Fills a fresh stream, then times one consumer (its own schema) from its first audited event to the last.
async Task<double> DrainAsync(IDatabase database, string topic, int count)
{
    for (var start = 0; start < count; start += 5_000)
    {
        await Task.WhenAll(Enumerable.Range(start, Math.Min(5_000, count - start)).Select(i => database.StreamAddAsync(
            $"dev-{topic}", RedisStreamPublisher.DataField, CloudEventFactory.Serialize(new CloudEvent
            {
                Id = $"bench-{i}",
                Source = "bench",
                Type = "OrderPlaced",
                Subject = $"ord-{i}",
                Data = System.Text.Json.JsonSerializer.SerializeToElement(new { n = i }, WireJson.Options),
            }))));
    }

    using var consumer = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Serverless.Consumers.dll")])
    {
        WorkingDirectory = AppContext.BaseDirectory,
        RedirectStandardOutput = true,
        Environment =
        {
            ["Serverless__Environment"] = "dev",
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Redis__Configuration"] = redisServer.Address,
            ["Postgres__ConnectionString"] = postgresCluster.ConnectionString,
            ["Postgres__Schema"] = topic,
            ["Consumer__Handler"] = "audit",
            ["Consumer__Streams"] = topic,
            ["Consumer__Concurrency"] = concurrency,
            ["Consumer__BatchSize"] = batchSize,
        },
    })!;
    try
    {
        // Polled in Redis (entries read minus pending = acknowledged after their commit): counting
        // rows in PostgreSQL every few milliseconds would take CPU from the consumer measured.
        var (startedAt, startCount) = await WaitForAsync(database, $"dev-{topic}", n => n > 0);
        var (endedAt, _) = await WaitForAsync(database, $"dev-{topic}", n => n >= count);
        await using var postgres = new NpgsqlConnection(postgresCluster.ConnectionString);
        await postgres.OpenAsync();
        await using var audited = new NpgsqlCommand($"SELECT count(DISTINCT event_id) = count(*) AND count(*) = {count} FROM {topic}.event_audit", postgres);
        return (bool)(await audited.ExecuteScalarAsync())!
            ? (count - startCount) / (endedAt - startedAt).TotalSeconds
            : throw new InvalidOperationException($"the consumer acknowledged {count} events but did not audit each exactly once");
    }
    finally
    {
        consumer.Kill();
        await consumer.WaitForExitAsync();
    }
}

static async Task<double> RedisBenchmarkXaddAsync(int port, int requests)
{
    using var benchmark = Process.Start(new ProcessStartInfo(
        "redis-benchmark", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-n", requests.ToString(CultureInfo.InvariantCulture), "-q", "XADD", "s", "*", "f", "v"])
    {
        RedirectStandardOutput = true,
    })!;
    var output = await benchmark.StandardOutput.ReadToEndAsync();
    await benchmark.WaitForExitAsync();
    var match = Regex.Match(output, @"([\d.]+) requests per second", RegexOptions.None, TimeSpan.FromSeconds(1));
    return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException($"unexpected redis-benchmark output: {output}");
}

static async Task<(DateTime At, long Count)> WaitForAsync(IDatabase database, string stream, Func<long, bool> done)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
    while (DateTime.UtcNow < deadline)
    {
        var count = 0L;
        try
        {
            var group = (await database.StreamGroupInfoAsync(stream)).SingleOrDefault();
            count = group.Name is null ? 0 : (group.EntriesRead ?? 0) - group.PendingMessageCount;
        }
        catch (RedisServerException e) when (e.Message.StartsWith("ERR no such key", StringComparison.Ordinal))
        {
            // The consumer has not created its group yet.
        }

        if (done(count))
        {
            return (DateTime.UtcNow, count);
        }

        await Task.Delay(20);
    }

    throw new TimeoutException("the consumer did not drain the stream within 10 minutes");
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Serverless.Local.Embedded;
using Serverless.Platform.Json;
using Serverless.Platform.Messaging;
using StackExchange.Redis;

// Drain rate of ONE consumer process (audit handler: one PostgreSQL transaction per event with the
// idempotency inbox, XACK after commit) against redis-benchmark's XADD rate on the same Redis, in
// one run. Usage: dotnet run -c Release --project bench/Serverless.Consumers.Bench [-- events]
var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
var work = Directory.CreateTempSubdirectory("serverless-bench-consumer-").FullName;
// Removed after the engines below are stopped (their disposal ends with the program's last statement).
AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(work, recursive: true);
await using var redisServer = await LocalRedis.StartAsync(work, CancellationToken.None);
await using var postgresCluster = await LocalPostgres.StartAsync(
    LocalPostgres.FindBinaries() ?? throw new InvalidOperationException("PostgreSQL binaries (initdb, pg_ctl) are needed"), work, CancellationToken.None);
var redisPort = int.Parse(redisServer.Address.Split(':')[1], CultureInfo.InvariantCulture);

var xaddPerSecond = await RedisBenchmarkXaddAsync(redisPort, events);

await using var redis = await ConnectionMultiplexer.ConnectAsync(redisServer.Address);
var database = redis.GetDatabase();
for (var start = 0; start < events; start += 5_000)
{
    await Task.WhenAll(Enumerable.Range(start, Math.Min(5_000, events - start)).Select(i => database.StreamAddAsync(
        "dev-bench", RedisStreamPublisher.DataField, CloudEventFactory.Serialize(new CloudEvent
        {
            Id = $"bench-{i}",
            Source = "bench",
            Type = "OrderPlaced",
            Subject = $"ord-{i}",
            Data = System.Text.Json.JsonSerializer.SerializeToElement(new { n = i }, WireJson.Options),
        }))));
}

var consumer = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Serverless.Consumers.dll")])
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
        ["Postgres__Schema"] = "bench",
        ["Consumer__Handler"] = "audit",
        ["Consumer__Streams"] = "bench",
        ["Consumer__Concurrency"] = "32",
        ["Consumer__BatchSize"] = "128",
    },
})!;
try
{
    await using var postgres = new NpgsqlConnection(postgresCluster.ConnectionString);
    await postgres.OpenAsync();
    var (startedAt, startCount) = await WaitForAsync(postgres, count => count > 0);
    var (endedAt, _) = await WaitForAsync(postgres, count => count >= events);
    var drainPerSecond = (events - startCount) / (endedAt - startedAt).TotalSeconds;

    Console.WriteLine($"events:                          {events}");
    Console.WriteLine($"consumer drain (1 process):      {drainPerSecond,10:N0} events/s  (audit handler, inbox on, XACK after commit)");
    Console.WriteLine($"redis-benchmark XADD (baseline): {xaddPerSecond,10:N0} requests/s (50 clients, no pipelining)");
    Console.WriteLine($"ratio consumer / baseline:       {drainPerSecond / xaddPerSecond,10:P1}");
}
finally
{
    consumer.Kill();
    await consumer.WaitForExitAsync();
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

static async Task<(DateTime At, long Count)> WaitForAsync(NpgsqlConnection postgres, Func<long, bool> done)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
    while (DateTime.UtcNow < deadline)
    {
        long count;
        try
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM bench.event_audit", postgres);
            count = (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException e) when (e.SqlState is "42P01" or "3F000")
        {
            count = 0;
        }

        if (done(count))
        {
            return (DateTime.UtcNow, count);
        }

        await Task.Delay(20);
    }

    throw new TimeoutException("the consumer did not drain the stream within 10 minutes");
}

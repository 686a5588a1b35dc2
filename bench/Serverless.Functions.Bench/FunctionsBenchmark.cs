using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Serverless.Functions.SelfHost;
using Serverless.Platform.Temporal;
using Temporalio.Client;

namespace Serverless.Functions.Bench;

/// <summary>
/// Requests/s and p50/p99 of <c>POST /api/orders</c> on the functions self-host (composed as in
/// production, Temporal replaced by <see cref="CountingTemporal"/>) against a bare Kestrel endpoint that
/// answers 202 and nothing else. With <c>SERVERLESS_BENCH_POSTGRES</c> (an Npgsql connection string)
/// it also measures durable accept through the order outbox, with Temporal up (row written, started,
/// marked) and down (row written, queued), next to the stateless reject mode. Same machine, same wrk
/// settings, rounds interleaved so drift in the machine's load hits every target; the ratios are the result.
/// </summary>
public static class FunctionsBenchmark
{
    private const string Order =
        """{"customerId":"cust-bench","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":12.5},{"sku":"SKU-2","quantity":1,"unitPrice":99.99}],"currency":"EUR","paymentToken":"tok_visa"}""";

    private const string UnreachablePostgres = "Host=127.0.0.1;Port=1;Username=serverless;Database=serverless";

    private sealed record Target(string Name, WebApplication App, CountingTemporal? Temporal)
    {
        public Uri Uri { get; set; } = null!;
    }

    public static async Task<int> RunAsync(BenchOptions options)
    {
        if (Wrk.Find() is not { } wrk)
        {
            await Console.Error.WriteLineAsync("wrk is not on PATH: install it (Debian/Ubuntu: apt-get install wrk) or run bench/functions-bench.sh.");
            return 3;
        }

        var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var postgres = Environment.GetEnvironmentVariable("SERVERLESS_BENCH_POSTGRES");
        var schema = $"bench_{Guid.NewGuid():N}"[..18];
        var targets = new List<Target>
        {
            Functions("functions, reject mode (no PostgreSQL)", apiKey, new CountingTemporal(), "Reject", UnreachablePostgres, schema),
        };
        if (string.IsNullOrWhiteSpace(postgres))
        {
            Console.WriteLine("SERVERLESS_BENCH_POSTGRES not set: the outbox targets are not measured.");
        }
        else
        {
            targets.Add(Functions("functions, outbox, Temporal up", apiKey, new CountingTemporal(), "Outbox", postgres, schema));
            targets.Add(Functions("functions, outbox, Temporal down", apiKey, new CountingTemporal { Down = true }, "Outbox", postgres, schema));
        }

        targets.Add(new Target("bare Kestrel 202", BareEndpoint(), null));
        foreach (var target in targets)
        {
            target.Uri = await StartAsync(target.App);
        }

        foreach (var target in targets.Where(t => t.Temporal is not null))
        {
            if (await DuplicateCheck.FailureAsync(target.Uri, apiKey, Order) is { } failure)
            {
                await Console.Error.WriteLineAsync($"{target.Name}: {failure}");
                return 1;
            }
        }

        var directory = Directory.CreateTempSubdirectory("functions-bench-");
        try
        {
            var results = targets.ToDictionary(t => t, _ => new List<WrkResult>());
            for (var round = 0; round <= options.Rounds; round++)
            {
                // Round 0 warms up every target (JIT, connection pools) and is not reported.
                var seconds = round == 0 ? options.WarmupSeconds : options.Seconds;
                var script = Path.Combine(directory.FullName, $"round{round}.lua");
                await File.WriteAllTextAsync(script, Wrk.Script($"r{round}-{Guid.NewGuid():N}", apiKey, Order));
                var line = new List<string>();
                foreach (var target in targets)
                {
                    var result = await Wrk.RunAsync(wrk, target.Uri, script, options, seconds);
                    if (round > 0)
                    {
                        results[target].Add(result);
                        line.Add($"{target.Name}: {Describe(result)}");
                    }
                }

                if (round > 0)
                {
                    Console.WriteLine($"round {round}: {string.Join(" | ", line)}");
                }
            }

            return Report(options, results);
        }
        finally
        {
            directory.Delete(recursive: true);
            foreach (var target in targets)
            {
                await target.App.DisposeAsync();
            }

            if (!string.IsNullOrWhiteSpace(postgres))
            {
                await DropSchemaAsync(postgres, schema);
            }
        }
    }

    private static int Report(BenchOptions options, Dictionary<Target, List<WrkResult>> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var medians = results.ToDictionary(
            r => r.Key,
            r => (Rps: Median(r.Value.Select(x => x.RequestsPerSecond)), P50: Median(r.Value.Select(x => x.P50.TotalMilliseconds)), P99: Median(r.Value.Select(x => x.P99.TotalMilliseconds))));
        var bare = results.Keys.Last();
        var errors = results.Values.Sum(r => r.Sum(x => x.Errors));

        // Each round's ratio is taken against the bare run of the same round (interleaved, so the
        // machine's drift hits both), then the median of those ratios is reported.
        (double Rps, double P99) RatioToBare(Target target) => (
            Median(results[target].Zip(results[bare], (t, b) => t.RequestsPerSecond / b.RequestsPerSecond)),
            Median(results[target].Zip(results[bare], (t, b) => t.P99 / b.P99)));

        Console.WriteLine();
        Console.WriteLine($"POST /api/orders, wrk -t{options.Threads} -c{options.Connections}, {options.Rounds} interleaved rounds of {options.Seconds}s, medians:");
        Console.WriteLine(string.Create(inv, $"  {"",-40}{"requests/s",12}{"p50 ms",10}{"p99 ms",10}{"rps / bare",12}{"p99 / bare",12}"));
        foreach (var (target, m) in medians)
        {
            var ratio = RatioToBare(target);
            Console.WriteLine(string.Create(inv, $"  {target.Name,-40}{m.Rps,12:F0}{m.P50,10:F2}{m.P99,10:F2}{ratio.Rps,12:F2}{ratio.P99,12:F2}"));
        }

        foreach (var target in results.Keys.Where(t => t.Temporal is not null))
        {
            Console.WriteLine(string.Create(inv, $"  {target.Name}: workflow starts counted {target.Temporal!.Starts}"));
        }

        Console.WriteLine(string.Create(inv, $"  non-2xx or socket errors: {errors}"));
        // The stateless reject mode is the headline: it measures the functions alone, no database.
        var headline = RatioToBare(results.Keys.First());
        Console.WriteLine(string.Create(inv, $"post-orders/bare: rps {headline.Rps:F2}x, p99 {headline.P99:F1}x (median of {options.Rounds})"));
        return errors == 0 ? 0 : 1;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static Target Functions(string name, string apiKey, CountingTemporal temporal, string mode, string postgres, string schema) =>
        new(name, SelfHostApplication.Build([], builder =>
        {
            Quiet(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serverless:Environment"] = "dev",
                ["Temporal:Address"] = "127.0.0.1:1",
                ["Redis:Configuration"] = "127.0.0.1:1",
                ["Postgres:ConnectionString"] = postgres,
                ["Postgres:Schema"] = schema,
                ["State:KeyPrefix"] = "dev-orders",
                ["OrderAccept:Mode"] = mode,
                ["SelfHost:ApiKeys:bench"] = apiKey,
                ["Management:Port"] = "0",
                // One warning per queued order would measure the console, not the accept.
                ["Logging:LogLevel:Serverless.Functions.Orders.OrderAcceptance"] = "Error",
            });
            builder.Services.AddSingleton<ITemporalClient>(provider => temporal.CreateClient(provider.GetRequiredService<CorrelationInterceptor>()));
        }), temporal);

    private static async Task DropSchemaAsync(string postgres, string schema)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string Describe(WrkResult result) =>
        string.Create(CultureInfo.InvariantCulture, $"{result.RequestsPerSecond:F0} req/s p50 {result.P50.TotalMilliseconds:F2} ms p99 {result.P99.TotalMilliseconds:F2} ms");

    private static WebApplication BareEndpoint()
    {
        var builder = WebApplication.CreateSlimBuilder();
        Quiet(builder);
        var app = builder.Build();
        app.MapPost("/api/orders", () => Results.StatusCode(StatusCodes.Status202Accepted));
        return app;
    }

    private static void Quiet(WebApplicationBuilder builder)
    {
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:0" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
    }

    private static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        // The functions also listen on a management port, bound after the public one.
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }
}

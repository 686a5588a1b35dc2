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
using Serverless.Functions.SelfHost;
using Serverless.Functions.Tests.Doubles;
using Serverless.Platform.Correlation;
using Temporalio.Client;

namespace Serverless.Functions.Bench;

/// <summary>
/// Requests/s and p50/p99 of <c>POST /api/orders</c> on the functions self-host (composed as in
/// production, Temporal replaced by the in-memory recorder) against a bare Kestrel endpoint that
/// answers 202 and nothing else. Same machine, same wrk settings, rounds interleaved so drift in
/// the machine's load hits both; the ratios are the result.
/// </summary>
public static class FunctionsBenchmark
{
    private const string Order =
        """{"customerId":"cust-bench","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":12.5},{"sku":"SKU-2","quantity":1,"unitPrice":99.99}],"currency":"EUR","paymentToken":"tok_visa"}""";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        if (Wrk.Find() is not { } wrk)
        {
            await Console.Error.WriteLineAsync("wrk is not on PATH: install it (Debian/Ubuntu: apt-get install wrk) or run bench/functions-bench.sh.");
            return 3;
        }

        var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var temporal = new RecordingTemporal();
        await using var functions = SelfHostApplication.Build([], builder =>
        {
            Quiet(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serverless:Environment"] = "dev",
                ["Temporal:Address"] = "127.0.0.1:1",
                ["Redis:Configuration"] = "127.0.0.1:1",
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=serverless;Database=serverless",
            ["State:KeyPrefix"] = "dev-orders",
                ["SelfHost:ApiKeys:bench"] = apiKey,
                ["Management:Port"] = "0",
            });
            builder.Services.AddSingleton<ITemporalClient>(provider => temporal.CreateClient(provider.GetRequiredService<CorrelationInterceptor>()));
        });
        await using var bare = BareEndpoint();
        var functionsUri = await StartAsync(functions);
        var bareUri = await StartAsync(bare);

        var directory = Directory.CreateTempSubdirectory("functions-bench-");
        try
        {
            var rounds = new List<(WrkResult Functions, WrkResult Bare)>();
            for (var round = 0; round <= options.Rounds; round++)
            {
                // Round 0 warms up both (JIT, connection pools) and is not reported.
                var seconds = round == 0 ? options.WarmupSeconds : options.Seconds;
                var script = Path.Combine(directory.FullName, $"round{round}.lua");
                await File.WriteAllTextAsync(script, Wrk.Script($"r{round}-{Guid.NewGuid():N}", apiKey, Order));
                var functionsResult = await Wrk.RunAsync(wrk, functionsUri, script, options, seconds);
                var bareResult = await Wrk.RunAsync(wrk, bareUri, script, options, seconds);
                if (round > 0)
                {
                    rounds.Add((functionsResult, bareResult));
                    Console.WriteLine($"round {round}: functions {Describe(functionsResult)} | bare {Describe(bareResult)}");
                }
            }

            return Report(options, rounds, temporal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static int Report(BenchOptions options, List<(WrkResult Functions, WrkResult Bare)> rounds, RecordingTemporal temporal)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        var fRps = Median(rounds.Select(r => r.Functions.RequestsPerSecond));
        var bRps = Median(rounds.Select(r => r.Bare.RequestsPerSecond));
        var fP50 = Median(rounds.Select(r => r.Functions.P50.TotalMilliseconds));
        var bP50 = Median(rounds.Select(r => r.Bare.P50.TotalMilliseconds));
        var fP99 = Median(rounds.Select(r => r.Functions.P99.TotalMilliseconds));
        var bP99 = Median(rounds.Select(r => r.Bare.P99.TotalMilliseconds));
        var errors = rounds.Sum(r => r.Functions.Errors + r.Bare.Errors);
        var inv = CultureInfo.InvariantCulture;

        Console.WriteLine();
        Console.WriteLine($"POST /api/orders, wrk -t{options.Threads} -c{options.Connections}, {options.Rounds} interleaved rounds of {options.Seconds}s, medians:");
        Console.WriteLine(string.Create(inv, $"  {"",-34}{"requests/s",12}{"p50 ms",10}{"p99 ms",10}"));
        Console.WriteLine(string.Create(inv, $"  {"functions (Temporal in memory)",-34}{fRps,12:F0}{fP50,10:F2}{fP99,10:F2}"));
        Console.WriteLine(string.Create(inv, $"  {"bare Kestrel 202",-34}{bRps,12:F0}{bP50,10:F2}{bP99,10:F2}"));
        Console.WriteLine(string.Create(inv, $"  {"ratio functions / bare",-34}{fRps / bRps,12:F2}{fP50 / bP50,10:F2}{fP99 / bP99,10:F2}"));
        Console.WriteLine(string.Create(inv, $"  workflow starts recorded: {temporal.Starts.Count}, non-2xx or socket errors: {errors}"));
        return errors == 0 ? 0 : 1;
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

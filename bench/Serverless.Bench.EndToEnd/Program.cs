using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Serverless.Local.Embedded;
using Serverless.Local.Up;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Scaling.Policy;
using Temporalio.Client;

// End to end under `serverless up` (dev policy, replicas from zero): each order's time from POST
// to its workflow confirming, and orders confirmed per second, against the time the POST alone
// takes (the functions' share), measured in the same run.
var orders = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var rate = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var root = Deployables.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("run from the repository");
var loaded = PolicyLoader.Load(Path.Combine(root, "keda", "scalers.yaml"));
var policy = loaded.Policy?.Find("dev") ?? throw new InvalidOperationException("keda/scalers.yaml has no usable dev environment");
var options = new LocalSystemOptions
{
    RepositoryRoot = root,
    Configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name,
    TemporalAddress = Environment.GetEnvironmentVariable("TEMPORAL_ADDRESS"),
};

LocalSystem system;
try
{
    system = await LocalSystem.StartAsync(policy, options, new Progress<string>(step => Console.WriteLine($"up: {step}")), CancellationToken.None);
}
catch (PrerequisiteMissingException missing)
{
    Console.WriteLine($"end-to-end benchmark skipped: {missing.Message}");
    return 0;
}

await using (system)
{
    var temporal = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(system.TemporalAddress) { Namespace = options.Environment });
    using var http = new HttpClient { BaseAddress = system.ApiAddress };
    http.DefaultRequestHeaders.Add("X-Api-Key", system.ApiKey);
    var posts = new ConcurrentBag<double>();
    var endToEnd = new ConcurrentBag<double>();
    var failed = 0;
    var clock = Stopwatch.StartNew();
    var pending = new List<Task>();
    for (var i = 0; i < orders; i++)
    {
        var due = TimeSpan.FromSeconds(i / rate);
        if (clock.Elapsed < due)
        {
            await Task.Delay(due - clock.Elapsed);
        }

        pending.Add(PlaceAndFollowAsync($"e2e-{Guid.NewGuid():N}"));
    }

    await Task.WhenAll(pending);
    var total = clock.Elapsed;
    var confirmed = endToEnd.Order().ToArray();
    var accepted = posts.Order().ToArray();
    Console.WriteLine();
    Console.WriteLine($"{orders} orders offered at {rate:0.#}/s: {confirmed.Length} confirmed, {failed} not, in {total.TotalSeconds:0.0} s ({confirmed.Length / total.TotalSeconds:0.0} confirmed/s)");
    Console.WriteLine($"POST -> 202         p50 {P(accepted, 0.5),7:0} ms   p99 {P(accepted, 0.99),7:0} ms");
    Console.WriteLine($"POST -> confirmed   p50 {P(confirmed, 0.5),7:0} ms   p99 {P(confirmed, 0.99),7:0} ms");
    Console.WriteLine($"end to end / POST (p99): {P(confirmed, 0.99) / Math.Max(P(accepted, 0.99), 1):0.0}x; confirmed/s / offered: {confirmed.Length / total.TotalSeconds / rate:0.00}");

    async Task PlaceAndFollowAsync(string key)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/orders")
        {
            Content = JsonContent.Create(new { customerId = "cust-e2e", lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 10m } }, currency = "EUR", paymentToken = "tok_visa" }),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await http.SendAsync(request);
        posts.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if ((int)response.StatusCode != 202)
        {
            Interlocked.Increment(ref failed);
            return;
        }

        var outcome = await temporal.GetWorkflowHandle<OrderWorkflow, OrderOutcome>(OrderStarter.OrderIdFor(key)).GetResultAsync();
        if (outcome.Status == OrderStatus.Confirmed)
        {
            endToEnd.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        else
        {
            Interlocked.Increment(ref failed);
        }
    }
}

return 0;

static double P(double[] sorted, double share) =>
    sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Length) - 1, 0, sorted.Length - 1)];

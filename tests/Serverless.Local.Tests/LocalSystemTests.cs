using System.Net.Http.Json;
using System.Text.Json;
using Serverless.Local.Embedded;
using Serverless.Local.Up;
using Serverless.Scaling.Policy;
using Serverless.Testing;
using Serverless.Testing.Processes;

namespace Serverless.Local.Tests;

/// <summary>
/// `serverless up` for real: the dev policy, every process, replicas from zero. Runs wherever a
/// Temporal CLI exists (TEMPORAL_CLI_PATH or `temporal` on PATH); skipped with a reason otherwise.
/// </summary>
[RequiresEngine(RequiresEngineAttribute.Temporal)]
public sealed class LocalSystemTests
{
    private static readonly TimeSpan OrderBound = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Up_OrderPlaced_WorkersWakeFromZeroOrderConfirmsProjectionShowsItAndStopLeavesNothing()
    {
        Engines.RequireTemporalCli();
        var policy = PolicyLoader.Load(Path.Combine(RepoPaths.Root, "keda", "scalers.yaml")).Policy!.Find("dev")!;
        var options = new LocalSystemOptions
        {
            RepositoryRoot = RepoPaths.Root,
            Configuration = RepoPaths.Configuration,
            RedisAddress = Engines.RequireRedis(),
            PostgresConnectionString = Engines.RequirePostgres(),
            ApiPort = HostTools.FreePort(),
        };

        string logDirectory;
        await using (var system = await LocalSystem.StartAsync(policy, options, new Progress<string>(), Ct))
        {
            logDirectory = system.LogDirectory;
            var before = await system.StatusAsync(Ct);
            Assert.All(before.Where(q => q.MinReplicas == 0), q => Assert.Equal(0, q.DesiredReplicas));

            using var http = new HttpClient { BaseAddress = system.ApiAddress };
            http.DefaultRequestHeaders.Add("X-Api-Key", system.ApiKey);
            using var order = new HttpRequestMessage(HttpMethod.Post, "api/orders")
            {
                Content = JsonContent.Create(new { customerId = "cust-up", lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 10m } }, currency = "EUR", paymentToken = "tok_visa" }),
            };
            order.Headers.Add("Idempotency-Key", $"up-{Guid.NewGuid():N}");
            using var placed = await http.SendAsync(order, Ct);
            Assert.Equal(202, (int)placed.StatusCode);
            var status = placed.Headers.Location!.OriginalString.TrimStart('/');

            // Confirmed, and as the projection consumer (woken from zero) wrote it to the read model.
            await Eventually.TrueAsync(
                async () =>
                {
                    using var read = await http.GetAsync(status, Ct);
                    using var view = JsonDocument.Parse(await read.Content.ReadAsStringAsync(Ct));
                    return view.RootElement.GetProperty("status").GetString() == "Confirmed"
                           && view.RootElement.GetProperty("source").GetString() == "ReadModel";
                },
                OrderBound,
                "the order confirmed and projected into the read model");

            Assert.Contains(system.Decisions, d => d is { Queue: "payments", From: 0, To: 1 });
            Assert.Contains(system.Decisions, d => d is { Queue: "inventory", From: 0, To: 1 });
            Assert.Contains(system.Decisions, d => d is { Queue: "order-projection", From: 0, To: 1 });
        }

        Assert.False(Directory.Exists(logDirectory));
        Assert.Equal(0, RepoPaths.ProcessesWithCommandLineContaining(logDirectory));
    }
}

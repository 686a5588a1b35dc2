using Serverless.Platform.Redis;
using Serverless.Scaler.Grpc;
using Serverless.Testing;
using StackExchange.Redis;
using Temporalio.Client;
using Temporalio.Testing;

namespace Serverless.Scaler.Tests;

/// <summary>The work signal of a task queue read from a live Temporal dev server; skipped where the machine has none.</summary>
[RequiresEngine(RequiresEngineAttribute.Temporal)]
public sealed class LiveTaskQueueTests
{
    private const string Namespace = "dev";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetMetrics_LiveServerWorkflowTaskWaiting_CountsItAndTheWorkersLeases()
    {
        var cli = Engines.RequireTemporalCli();
        var redisAddress = Engines.RequireRedis();
        var taskQueue = $"scaler-live-{Guid.NewGuid():N}";
        var environment = await WorkflowEnvironment.StartLocalAsync(new WorkflowEnvironmentStartLocalOptions
        {
            Namespace = Namespace,
            DevServerOptions = new DevServerOptions { ExistingPath = cli, LogLevel = "warn" },
        });
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisAddress);
        try
        {
            await using var scaler = await ScalerHost.StartAsync(redisAddress, TimeSpan.FromSeconds(2), new Dictionary<string, string?>
            {
                ["Temporal:Address"] = environment.Client.Connection.Options.TargetHost,
                ["Temporal:Namespace"] = Namespace,
            });
            var reference = new ScaledObjectRef
            {
                Name = "orders-worker",
                Namespace = "serverless-dev",
                ScalerMetadata =
                {
                    ["source"] = "temporal",
                    ["namespace"] = Namespace,
                    ["taskQueue"] = taskQueue,
                    ["queueTypes"] = "workflow",
                    ["signal"] = "work",
                    ["activationWindowSeconds"] = "60",
                },
            };

            // No worker polls this queue: the first workflow task waits in its backlog.
            await environment.Client.StartWorkflowAsync("ScalerLiveProbe", [], new WorkflowOptions($"scaler-live-{Guid.NewGuid():N}", taskQueue));
            await Eventually.TrueAsync(async () => await MetricAsync(scaler, reference) >= 1, TimeSpan.FromSeconds(30), "DescribeTaskQueue reports the waiting workflow task (a server without task-queue stats reads 0)");
            Assert.True((await scaler.Client.IsActiveAsync(reference, cancellationToken: Ct)).Result);

            await new InFlightLeases(redis.GetDatabase()).RenewAsync(taskQueue, "worker-a", new WorkerSlots(WorkflowUsed: 2, WorkflowCapacity: 5, 0, 0), TimeSpan.FromMinutes(1));
            await Eventually.TrueAsync(async () => await MetricAsync(scaler, reference) >= 3, TimeSpan.FromSeconds(10), "the worker's used workflow slots add to the backlog");
        }
        finally
        {
            var key = InFlightLeases.KeyFor(taskQueue);
            await redis.GetDatabase().KeyDeleteAsync([key, key + ":expiry"]);
            await environment.ShutdownAsync();
        }
    }

    private static async Task<double> MetricAsync(ScalerHost scaler, ScaledObjectRef reference)
    {
        var response = await scaler.Client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = reference, MetricName = "x" }, cancellationToken: Ct);
        return Assert.Single(response.MetricValues).MetricValueFloat;
    }
}

using Serverless.Local.Embedded;
using Serverless.Local.Replicas;
using Serverless.Local.Up;
using Serverless.Scaling.Policy;
using StackExchange.Redis;

namespace Serverless.Bench.Streams;

/// <summary>
/// The engines a stream scaling benchmark runs on, each real: Redis, a throwaway PostgreSQL and the push
/// scaler process, in a temporary directory removed on dispose; consumer replicas start from the built host.
/// </summary>
public sealed class ScalingRig : IAsyncDisposable
{
    private ScalingRig(Deployables deployables, string workDirectory, LocalRedis redis, LocalPostgres postgres, PushScalerProcess scaler, ConnectionMultiplexer connection)
    {
        Deployables = deployables;
        WorkDirectory = workDirectory;
        Redis = redis;
        Postgres = postgres;
        Scaler = scaler;
        Connection = connection;
    }

    public Deployables Deployables { get; }

    public string WorkDirectory { get; }

    public LocalRedis Redis { get; }

    public LocalPostgres Postgres { get; }

    public PushScalerProcess Scaler { get; }

    public ConnectionMultiplexer Connection { get; }

    public static async Task<ScalingRig> StartAsync(string name)
    {
        var root = Deployables.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("run from the repository");
        var deployables = new Deployables(root, new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Name);
        var work = Directory.CreateTempSubdirectory($"serverless-bench-{name}-").FullName;
        var binaries = LocalPostgres.FindBinaries() ?? throw new InvalidOperationException("PostgreSQL binaries (initdb, pg_ctl) are needed for the consumer");
        var redis = await LocalRedis.StartAsync(work, CancellationToken.None);
        var postgres = await LocalPostgres.StartAsync(binaries, work, CancellationToken.None);
        var scaler = await PushScalerProcess.StartAsync(deployables, AuditConsumer.Environment, redis.Address, temporalAddress: null, logFile: null, CancellationToken.None);
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        return new ScalingRig(deployables, work, redis, postgres, scaler, connection);
    }

    /// <summary>The queue's Deployment as local processes: consumers with a short block time and quiet logs.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="topic">The topic the queue's stream is of (<see cref="AuditConsumer.Policy"/>).</param>
    /// <param name="shipped">Run the consumer host as shipped (its ReadyToRun publish output, scripts/publish-hosts.sh) instead of its build output.</param>
    public ReplicaSet ConsumerReplicas(QueuePolicy queue, string topic, bool shipped = false)
    {
        var deployables = shipped ? Deployables.WithPublishedHosts() : Deployables;
        var templates = new ReplicaTemplates(deployables, new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Serverless__Environment"] = AuditConsumer.Environment,
            ["Redis__Configuration"] = Redis.Address,
            ["Postgres__ConnectionString"] = Postgres.ConnectionString,
            ["Consumer__BlockTime"] = "00:00:00.500",
            ["Logging__LogLevel__Default"] = "Warning",
        }, simulators: null, WorkDirectory, AuditConsumer.Catalog(topic));
        return new ReplicaSet(queue.Deployment, ordinal => templates.Start(queue, ordinal), TimeSpan.FromSeconds(15));
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Scaler.DisposeAsync();
        await Postgres.DisposeAsync();
        await Redis.DisposeAsync();
        Directory.Delete(WorkDirectory, recursive: true);
    }
}

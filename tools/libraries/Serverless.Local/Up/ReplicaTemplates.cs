using Serverless.Catalog;
using Serverless.Local.Processes;
using Serverless.Scaling.Policy;

namespace Serverless.Local.Up;

/// <summary>
/// The pod template of each queue's Deployment, as a local process: the host of the queue's catalog entry
/// with that entry's settings, as its Deployment runs it (keda/base/scaling/&lt;env&gt;/pools): the worker
/// host polling the entry's task queue, or the consumer host reading its topic with its group and handler.
/// </summary>
/// <param name="deployables">The built executables.</param>
/// <param name="shared">Settings every process gets (the environment, addresses of Temporal, Redis, PostgreSQL, ...).</param>
/// <param name="simulators">Base address of the payment and inventory simulators (workers only).</param>
/// <param name="logDirectory">Where each replica's output is written.</param>
/// <param name="catalog">The entries of the queues it starts replicas for (<see cref="ServiceCatalog.Shipped"/> for the system).</param>
public sealed class ReplicaTemplates(
    Deployables deployables, IReadOnlyDictionary<string, string?> shared, Uri? simulators, string logDirectory, ServiceCatalog catalog)
{
    public ManagedProcess Start(QueuePolicy queue, int ordinal)
    {
        var settings = new Dictionary<string, string?>(shared);
        string assembly;
        IReadOnlyList<Setting> own;
        switch (queue.Source)
        {
            case TemporalQueueSource:
                var pool = catalog.FindQueue(queue.Name) ?? throw NotInCatalog(queue, ActivityQueues.SourceFile);
                assembly = deployables.Workers;
                own = pool.Settings;
                if (simulators is not null)
                {
                    foreach (var integration in pool.SimulatedIntegrations)
                    {
                        settings[integration.EnvironmentVariable] = new Uri(simulators, integration.Value).ToString();
                    }
                }

                break;
            case RedisStreamSource:
                assembly = deployables.Consumers;
                own = (catalog.FindConsumer(queue.Name) ?? throw NotInCatalog(queue, StreamConsumers.SourceFile)).Settings;
                settings["POD_NAME"] = $"{queue.Deployment}-{ordinal}";
                break;
            default:
                throw new InvalidOperationException($"queue {queue.Name} has an unknown source");
        }

        foreach (var setting in own)
        {
            settings[setting.EnvironmentVariable] = setting.Value;
        }

        var process = ManagedProcess.StartDotnet($"{queue.Deployment}-{ordinal}", assembly, settings);
        process.WriteLogTo(Path.Combine(logDirectory, $"{queue.Deployment}-{ordinal}.log"));
        return process;
    }

    private static InvalidOperationException NotInCatalog(QueuePolicy queue, string file) =>
        new($"queue {queue.Name} has no catalog entry ({file}): there is no pod template to start its replicas from");
}

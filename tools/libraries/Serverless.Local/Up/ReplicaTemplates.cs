using Serverless.Local.Processes;
using Serverless.Naming;
using Serverless.Scaling.Policy;

namespace Serverless.Local.Up;

/// <summary>
/// The pod template of each queue's Deployment, as a local process: the worker host polling the
/// queue's task queue, or the consumer host reading the queue's stream with its consumer group.
/// </summary>
/// <param name="deployables">The built executables.</param>
/// <param name="environment">The environment name (prefix of task queues and streams).</param>
/// <param name="shared">Settings every process gets (addresses of Temporal, Redis, PostgreSQL, ...).</param>
/// <param name="simulators">Base address of the payment and inventory simulators (workers only).</param>
/// <param name="logDirectory">Where each replica's output is written.</param>
public sealed class ReplicaTemplates(
    Deployables deployables, string environment, IReadOnlyDictionary<string, string?> shared, Uri? simulators, string logDirectory)
{
    public ManagedProcess Start(QueuePolicy queue, int ordinal)
    {
        var settings = new Dictionary<string, string?>(shared);
        string assembly;
        switch (queue.Source)
        {
            case TemporalQueueSource temporal:
                assembly = deployables.Workers;
                settings["Workers__Poll"] = temporal.TaskQueue;
                if (simulators is not null)
                {
                    settings["Integrations__PaymentGateway__BaseAddress"] = new Uri(simulators, "payments/").ToString();
                    settings["Integrations__Inventory__BaseAddress"] = new Uri(simulators, "inventory/").ToString();
                }

                break;
            case RedisStreamSource stream:
                assembly = deployables.Consumers;
                // The consumers name logical topics and add the environment prefix themselves.
                var physical = stream.PhysicalStream(environment);
                settings["Consumer__Streams"] = ResourceNames.LogicalIn(environment, physical) ?? physical;
                settings["Consumer__Handler"] = HandlerOf(queue.Deployment);
                settings["Consumer__Group"] = stream.ConsumerGroup;
                settings["Consumer__OnHandlerError"] = "KeepPending"; // as the consumer Deployments (keda/base/apps)
                settings["POD_NAME"] = $"{queue.Deployment}-{ordinal}";
                break;
            default:
                throw new InvalidOperationException($"queue {queue.Name} has an unknown source");
        }

        var process = ManagedProcess.StartDotnet($"{queue.Deployment}-{ordinal}", assembly, settings);
        process.WriteLogTo(Path.Combine(logDirectory, $"{queue.Deployment}-{ordinal}.log"));
        return process;
    }

    /// <summary>The consumer handler a Deployment runs: <c>notifications-consumer</c> → <c>notifications</c>.</summary>
    public static string HandlerOf(string deployment) =>
        deployment.EndsWith("-consumer", StringComparison.Ordinal) ? deployment[..^"-consumer".Length] : deployment;
}

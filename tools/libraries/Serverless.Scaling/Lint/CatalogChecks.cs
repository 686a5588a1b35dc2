using System.Globalization;
using Serverless.Catalog;
using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Lint;

/// <summary>
/// The policy against the catalogs of what is deployed (workers/libraries/Serverless.Catalog): every queue of
/// the policy is a catalog entry of its kind and scales that entry's Deployment on that entry's task queue or
/// stream and group, and every catalog entry has its queue in the policy. A queue the catalog lacks is served
/// by nobody; an entry the policy lacks is never scaled. Each finding names the queue and both files.
/// </summary>
public static class CatalogChecks
{
    private const string ActivityCatalog = $"the activity-queue catalog ({ActivityQueues.SourceFile})";
    private const string ConsumerCatalog = $"the stream-consumer catalog ({StreamConsumers.SourceFile})";

    public static IReadOnlyList<Diagnostic> Check(ScalerPolicy policy, ServiceCatalog catalog, string? environment = null)
    {
        var findings = new DiagnosticBag();
        Check(policy, catalog, environment, findings);
        return findings.Sorted();
    }

    internal static void Check(ScalerPolicy policy, ServiceCatalog catalog, string? environment, DiagnosticBag findings)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(catalog);
        Duplicates(policy, catalog, findings);
        foreach (var env in policy.Environments.Where(e => environment is null || e.Name == environment))
        {
            foreach (var queue in env.Queues)
            {
                var check = new QueueCheck(policy, env, queue, findings);
                switch (queue.Source)
                {
                    case TemporalQueueSource temporal:
                        check.Against(catalog.FindQueue(queue.Name), temporal, catalog.FindConsumer(queue.Name) is not null);
                        break;
                    case RedisStreamSource stream:
                        check.Against(catalog.FindConsumer(queue.Name), stream, catalog.FindQueue(queue.Name) is not null);
                        break;
                }
            }

            foreach (var entry in catalog.Queues.Where(q => env.FindQueue(q.Name) is null))
            {
                NotInPolicy(policy, findings, entry.Name, ActivityCatalog, $"kind: {TemporalQueueSource.Kind}, deployment: {entry.Deployment}, taskQueue: {entry.Name}");
            }

            foreach (var entry in catalog.Consumers.Where(c => env.FindQueue(c.Name) is null))
            {
                NotInPolicy(policy, findings, entry.Name, ConsumerCatalog,
                    $"kind: {RedisStreamSource.Kind}, deployment: {entry.Deployment}, stream: \"{{environment}}-{entry.Topic}\", consumerGroup: {entry.Group}");
            }
        }
    }

    private static void NotInPolicy(ScalerPolicy policy, DiagnosticBag findings, string name, string catalog, string fields) =>
        findings.Error("catalog-queue-not-in-policy", policy.QueuesLocation, $"queues.{name}",
            $"{catalog} deploys queue '{name}', {policy.SourcePath} has no queue for it: KEDA would never scale its Deployment",
            $"add queues.{name} ({fields}) to {policy.SourcePath}, or remove the entry from the catalog");

    /// <summary>The policy names a queue once and scales a Deployment once: so must the two catalogs, together.</summary>
    private static void Duplicates(ScalerPolicy policy, ServiceCatalog catalog, DiagnosticBag findings)
    {
        var entries = catalog.Queues.Select(q => (q.Name, q.Deployment, File: ActivityQueues.SourceFile))
            .Concat(catalog.Consumers.Select(c => (c.Name, c.Deployment, File: StreamConsumers.SourceFile)))
            .ToList();
        void Once(string what, Func<(string Name, string Deployment, string File), string> key)
        {
            foreach (var twice in entries.GroupBy(key, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                findings.Error("catalog-duplicate", policy.QueuesLocation, "queues",
                    $"the catalogs name {what} '{twice.Key}' {twice.Count().ToString(CultureInfo.InvariantCulture)} times ({string.Join(", ", twice.Select(e => e.File).Distinct())}): one policy queue cannot match them all",
                    "give each catalog entry a queue name and a Deployment of its own");
            }
        }

        Once("queue", e => e.Name);
        Once("Deployment", e => e.Deployment);
    }

    private sealed class QueueCheck(ScalerPolicy policy, EnvironmentPolicy env, QueuePolicy queue, DiagnosticBag findings)
    {
        public void Against(ActivityQueue? entry, TemporalQueueSource source, bool isConsumer)
        {
            if (entry is null)
            {
                Missing("task queue", ActivityCatalog, isConsumer ? ConsumerCatalog : null);
                return;
            }

            Expect("deployment", queue.Deployment, entry.Deployment, ActivityCatalog);
            Expect("taskQueue", source.TaskQueue, entry.Name, ActivityCatalog);
            var polled = new[] { (TaskTypes.Workflow, TemporalQueueType.Workflow), (TaskTypes.Activity, TemporalQueueType.Activity) }
                .Where(t => entry.Polls.HasFlag(t.Item1)).Select(t => t.Item2);
            Expect("queueTypes", Names(source.QueueTypes), Names(polled), ActivityCatalog);
            Expect("targetPerReplica", Text(queue.Scaling.TargetPerReplica), Text(entry.SlotsPerReplica), $"{ActivityCatalog} as one replica's slots ({entry.Slots.Key})");
        }

        public void Against(StreamConsumer? entry, RedisStreamSource source, bool isQueue)
        {
            if (entry is null)
            {
                Missing("consumer group", ConsumerCatalog, isQueue ? ActivityCatalog : null);
                return;
            }

            Expect("deployment", queue.Deployment, entry.Deployment, ConsumerCatalog);
            Expect("stream", source.PhysicalStream(env.Name), entry.PhysicalStream(env.Name), $"{ConsumerCatalog} as topic '{entry.Topic}' in {env.Name}");
            Expect("consumerGroup", source.ConsumerGroup, entry.Group, ConsumerCatalog);
        }

        private void Missing(string what, string catalog, string? otherKind)
        {
            var message = otherKind is null
                ? $"queue '{queue.Name}' has no entry in {catalog}: no Deployment is configured to serve its {what}"
                : $"queue '{queue.Name}' is a {queue.Source.KindName} queue here, but an entry of {otherKind}";
            findings.Error("queue-not-in-catalog", queue.Locations.Queue, $"queues.{queue.Name}", message,
                $"add '{queue.Name}' to {catalog} with its Deployment, or remove queues.{queue.Name} from {policy.SourcePath}");
        }

        private void Expect(string field, string actual, string expected, string catalog)
        {
            if (!string.Equals(actual, expected, StringComparison.Ordinal))
            {
                findings.Error("catalog-mismatch", queue.Locations.Of(field), $"queues.{queue.Name}.{field}",
                    $"queue '{queue.Name}' has {field} '{actual}', {catalog} has '{expected}'",
                    $"make {policy.SourcePath} and the catalog agree on the {field} of '{queue.Name}'", env.Name);
            }
        }

        private static string Names(IEnumerable<TemporalQueueType> types) =>
            string.Join(", ", types.Select(t => t.ToString().ToLowerInvariant()).Order(StringComparer.Ordinal));

        private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}

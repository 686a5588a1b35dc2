using Serverless.Catalog;
using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Rendering;

/// <summary>
/// The workloads of the queues the catalogs describe completely: per activity pool or stream consumer a
/// Deployment, its ServiceAccount and its disruption budget, carrying what is the entry's own (names, labels,
/// the settings of <see cref="ActivityQueue.Settings"/> or <see cref="StreamConsumer.Settings"/>). What every
/// Deployment of a kind shares (image, ports, resources, platform settings, grace period) is the hand-written
/// kustomize Component of that kind (keda/components/activity-worker, stream-consumer), which
/// <c>pools/kustomization.yaml</c> applies to them. A queue with a hand-written Deployment (<see cref="ActivityQueue.HandWrittenDeployment"/>) gets none.
/// </summary>
internal static class PoolRenderer
{
    public const string Directory = "pools";

    /// <summary>The hand-written Components, relative to <c>keda/base/scaling/&lt;env&gt;/pools</c>.</summary>
    private const string ComponentsDirectory = "../../../../components";

    private static readonly PoolKind ActivityPool = new("activity-worker", "worker");

    private static readonly PoolKind ConsumerPool = new("stream-consumer", "consumer");

    /// <param name="Component">The pods' <c>app.kubernetes.io/component</c> label, which selects the kind's Component, and its directory.</param>
    /// <param name="Container">The application container's name, which the Component's patch merges into.</param>
    private sealed record PoolKind(string Component, string Container);

    private sealed record Pool(string Queue, string Deployment, PoolKind Kind, IReadOnlyList<Setting> Settings);

    public static IEnumerable<RenderedFile> Render(EnvironmentPolicy environment, ServiceCatalog catalog, string policyFileName)
    {
        var pools = environment.Queues.Select(q => Of(q, catalog)).OfType<Pool>().OrderBy(p => p.Deployment, StringComparer.Ordinal).ToList();
        if (pools.Count == 0)
        {
            yield break;
        }

        var resources = new List<object>();
        foreach (var pool in pools)
        {
            var header = new[]
            {
                $"{KedaManifestRenderer.GeneratedBy} from the catalog entry of queue {pool.Queue} (workers/libraries/Serverless.Catalog) for {policyFileName} (environment {environment.Name}).",
                $"Do not edit: change the entry, or what every {pool.Kind.Component} shares in keda/components/{pool.Kind.Component}, and render again.",
            };
            foreach (var (name, document) in new[] { ("deployment", Deployment(pool)), ("service-account", ServiceAccount(pool)), ("disruption-budget", DisruptionBudget(pool)) })
            {
                var path = $"{pool.Deployment}/{name}.yaml";
                resources.Add(path);
                yield return new RenderedFile($"{Directory}/{path}", YamlWriter.Write(document, header));
            }
        }

        var kustomization = new YamlMap
        {
            { "apiVersion", "kustomize.config.k8s.io/v1beta1" },
            { "kind", "Kustomization" },
            { "resources", resources },
            { "components", pools.Select(p => p.Kind.Component).Distinct().Order(StringComparer.Ordinal).Select(c => (object)$"{ComponentsDirectory}/{c}").ToList() },
        };
        yield return new RenderedFile($"{Directory}/{KedaManifestRenderer.KustomizationFile}", YamlWriter.Write(kustomization,
        [
            $"{KedaManifestRenderer.GeneratedBy} from the catalogs (workers/libraries/Serverless.Catalog) for {policyFileName} (environment {environment.Name}).",
            "Do not edit: change the catalogs and render again.",
        ]));
    }

    private static Pool? Of(QueuePolicy queue, ServiceCatalog catalog) => queue.Source switch
    {
        TemporalQueueSource => catalog.FindQueue(queue.Name) is { } entry
            ? entry.HandWrittenDeployment ? null : new Pool(entry.Name, entry.Deployment, ActivityPool, entry.Settings)
            : throw NotInCatalog(queue),
        RedisStreamSource => catalog.FindConsumer(queue.Name) is { } entry
            ? new Pool(entry.Name, entry.Deployment, ConsumerPool, entry.Settings)
            : throw NotInCatalog(queue),
        _ => throw new ArgumentException($"queue {queue.Name} has an unknown source", nameof(queue)),
    };

    private static InvalidOperationException NotInCatalog(QueuePolicy queue) =>
        new($"queue {queue.Name} has no catalog entry, so there is no Deployment to render for it: 'serverless scalers lint' says which");

    private static YamlMap Deployment(Pool pool) => new()
    {
        { "apiVersion", "apps/v1" },
        { "kind", "Deployment" },
        { "metadata", Metadata(pool) },
        {
            "spec", new YamlMap
            {
                { "selector", new YamlMap { { "matchLabels", Selector(pool) } } },
                {
                    "template", new YamlMap
                    {
                        { "metadata", new YamlMap { { "labels", PodLabels(pool) } } },
                        {
                            "spec", new YamlMap
                            {
                                { "serviceAccountName", pool.Deployment },
                                {
                                    "containers", new List<object>
                                    {
                                        new YamlMap
                                        {
                                            { "name", pool.Kind.Container },
                                            {
                                                "env", pool.Settings.Select(s => (object)new YamlMap { { "name", s.EnvironmentVariable }, { "value", s.Value } }).ToList()
                                            },
                                        },
                                    }
                                },
                            }
                        },
                    }
                },
            }
        },
    };

    private static YamlMap ServiceAccount(Pool pool) => new()
    {
        { "apiVersion", "v1" },
        { "kind", "ServiceAccount" },
        { "metadata", Metadata(pool) },
        { "automountServiceAccountToken", false },
    };

    /// <summary>
    /// As every workload's: one pod at a time may be evicted by a node drain while the others keep serving;
    /// AlwaysAllow, so a crash-looping pod never blocks a drain.
    /// </summary>
    private static YamlMap DisruptionBudget(Pool pool) => new()
    {
        { "apiVersion", "policy/v1" },
        { "kind", "PodDisruptionBudget" },
        { "metadata", Metadata(pool) },
        {
            "spec", new YamlMap
            {
                { "maxUnavailable", 1 },
                { "unhealthyPodEvictionPolicy", "AlwaysAllow" },
                { "selector", new YamlMap { { "matchLabels", Selector(pool) } } },
            }
        },
    };

    private static YamlMap Metadata(Pool pool) => new()
    {
        { "name", pool.Deployment },
        {
            "labels", new YamlMap
            {
                { "app.kubernetes.io/name", pool.Deployment },
                { "app.kubernetes.io/component", pool.Kind.Component },
                { "app.kubernetes.io/part-of", "serverless" },
                { "app.kubernetes.io/managed-by", "serverless-cli" },
            }
        },
    };

    private static YamlMap Selector(Pool pool) => new() { { "app.kubernetes.io/name", pool.Deployment } };

    private static YamlMap PodLabels(Pool pool) => new()
    {
        { "app.kubernetes.io/name", pool.Deployment },
        { "app.kubernetes.io/component", pool.Kind.Component },
    };
}

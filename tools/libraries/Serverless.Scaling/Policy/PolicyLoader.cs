using Serverless.Naming;

namespace Serverless.Scaling.Policy;

public sealed record PolicyLoadResult(ScalerPolicy? Policy, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool HasErrors => Policy is null || Diagnostics.Any(d => d.Severity == Severity.Error);
}

/// <summary>
/// Reads <c>keda/scalers.yaml</c>: top-level <c>defaults</c>, <c>queues</c> and shared settings, then per
/// environment the overrides under <c>environments.&lt;env&gt;</c>. Each queue is resolved as
/// defaults ← queue ← environment override and bound strictly (unknown fields, wrong types and ranges are
/// reported with file, line and field).
/// </summary>
public static partial class PolicyLoader
{
    public const int SupportedVersion = 1;

    /// <summary>One day: a longer window never lets a queue with daily traffic sleep.</summary>
    public const int MaxActivationWindowSeconds = 86_400;

    public static PolicyLoadResult Load(string path, string? displayPath = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path), displayPath ?? path);
    }

    public static PolicyLoadResult Parse(string yaml, string file)
    {
        var diagnostics = new DiagnosticBag();
        var root = PolicyYaml.Parse(yaml, file, diagnostics);
        if (root is null)
        {
            return new PolicyLoadResult(null, diagnostics.Sorted());
        }

        var top = NodeFields.Of(root, string.Empty, diagnostics);
        if (top is null)
        {
            return new PolicyLoadResult(null, diagnostics.Sorted());
        }

        var version = top.Int("version", SupportedVersion, SupportedVersion, required: true);
        var defaults = CheckDefaults(top.Node("defaults"), diagnostics);
        var queues = QueueNodes(top, diagnostics, out var queuesLocation);
        var environmentNodes = top.Map("environments", required: true);
        var shared = new SharedNodes(top.Node("cluster"), top.Node("connections"), top.Node("traffic"));
        top.RejectUnknown();

        var environments = new List<EnvironmentPolicy>();
        if (environmentNodes is not null)
        {
            foreach (var entry in environmentNodes.Entries)
            {
                if (BindEnvironment(entry, shared, defaults, queues, diagnostics) is { } environment)
                {
                    environments.Add(environment);
                }
            }

            if (environmentNodes.Entries.Count == 0)
            {
                diagnostics.Error("missing-field", environmentNodes.Location, "environments", "no environment is declared", "add at least one environment, e.g. 'dev: {}'");
            }
        }

        var policy = version is null || diagnostics.HasErrors ? null : new ScalerPolicy(file, environments) { QueuesLocation = queuesLocation! };
        return new PolicyLoadResult(policy, diagnostics.Sorted());
    }

    private sealed record SharedNodes(PolicyNode? Cluster, PolicyNode? Connections, PolicyNode? Traffic);

    /// <summary>Reports fields that cannot be defaults and returns only the valid ones, so they are reported once.</summary>
    private static MappingNode? CheckDefaults(PolicyNode? defaults, DiagnosticBag diagnostics)
    {
        if (NodeFields.Of(defaults, "defaults", diagnostics) is not { } fields)
        {
            return null;
        }

        foreach (var field in CommonQueueFields)
        {
            fields.Node(field);
        }

        fields.RejectUnknown("in defaults (a queue's kind, deployment and source are set per queue)");
        return new MappingNode([.. fields.Entries.Where(e => CommonQueueFields.Contains(e.Key))], fields.Location, "defaults");
    }

    private static List<(string Name, MappingEntry Entry)> QueueNodes(NodeFields top, DiagnosticBag diagnostics, out SourceLocation? location)
    {
        var result = new List<(string, MappingEntry)>();
        var queues = top.Map("queues", required: true);
        location = queues?.Location;
        if (queues is null)
        {
            return result;
        }

        foreach (var entry in queues.Entries)
        {
            if (!ResourceName().IsMatch(entry.Key))
            {
                diagnostics.Error("invalid-value", entry.KeyLocation, $"queues.{entry.Key}",
                    $"queue name '{entry.Key}' cannot name a Kubernetes ScaledObject", "use lower-case letters, digits and '-', starting with a letter (at most 50 characters)");
                continue;
            }

            result.Add((entry.Key, entry));
        }

        if (queues.Entries.Count == 0)
        {
            diagnostics.Error("missing-field", queues.Location, "queues", "no queue is declared", "declare every queue of the system once under 'queues:'");
        }

        return result;
    }

    private static EnvironmentPolicy? BindEnvironment(
        MappingEntry entry,
        SharedNodes shared,
        PolicyNode? defaults,
        List<(string Name, MappingEntry Entry)> queues,
        DiagnosticBag diagnostics)
    {
        var name = entry.Key;
        var path = $"environments.{name}";
        if (!ResourceNames.IsValidEnvironment(name))
        {
            diagnostics.Error("invalid-value", entry.KeyLocation, path, $"environment name '{name}' is not valid",
                "use 2 to 20 lower-case letters or digits, starting with a letter (it prefixes task queue names)");
            return null;
        }

        var fields = NodeFields.Of(entry.Value, path, diagnostics);
        if (fields is null)
        {
            return null;
        }

        var ns = fields.Text("namespace", pattern: ResourceName(), patternHint: "a Kubernetes namespace name", orDefault: name);
        var overrides = fields.Map("queues");
        var cluster = BindCluster(MappingNode.Overlay(shared.Cluster, fields.Node("cluster"), keepOverlayIdentity: false), diagnostics);
        var connections = MappingNode.Overlay(shared.Connections, fields.Node("connections"), keepOverlayIdentity: false);
        var traffic = BindTraffic(MappingNode.Overlay(shared.Traffic, fields.Node("traffic"), keepOverlayIdentity: false), diagnostics, entry.KeyLocation);
        fields.RejectUnknown();

        foreach (var unknown in overrides?.Entries.Where(o => !queues.Exists(q => q.Name == o.Key)) ?? [])
        {
            diagnostics.Error("unknown-queue", unknown.KeyLocation, $"{path}.queues.{unknown.Key}",
                $"environment {name} overrides queue '{unknown.Key}', which is not declared under 'queues'",
                "declare the queue under 'queues' first, or fix the name");
        }

        var bound = new List<QueuePolicy>();
        foreach (var (queueName, queueEntry) in queues)
        {
            var withDefaults = MappingNode.Overlay(defaults, queueEntry.Value, keepOverlayIdentity: true);
            var resolved = MappingNode.Overlay(withDefaults, overrides?.Node(queueName), keepOverlayIdentity: false);
            if (BindQueue(queueName, resolved!, diagnostics) is { } queue)
            {
                bound.Add(queue);
            }
        }

        var (temporal, redis, push) = BindConnections(connections, name, bound, diagnostics, entry.Value.Location);
        CheckUnique(name, bound, diagnostics);
        return ns is null || cluster is null || traffic is null
            ? null
            : new EnvironmentPolicy(name, ns, cluster, temporal, redis, push, traffic, bound, entry.KeyLocation);
    }

    private static void CheckUnique(string environment, List<QueuePolicy> queues, DiagnosticBag diagnostics)
    {
        foreach (var group in queues.GroupBy(q => q.Deployment, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            foreach (var queue in group.Skip(1))
            {
                diagnostics.Error("deployment-scaled-twice", queue.Locations.Of("deployment"), $"queues.{queue.Name}.deployment",
                    $"Deployment {group.Key} is already scaled by queue '{group.First().Name}'; KEDA refuses a second ScaledObject on one workload",
                    "give each queue its own Deployment, or merge the two queues", environment);
            }
        }
    }
}

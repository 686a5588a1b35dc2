using System.Text.RegularExpressions;
using Serverless.Scaling.Autoscaling;

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

    private static readonly Dictionary<string, TemporalQueueType> QueueTypeNames = new(StringComparer.Ordinal)
    {
        ["workflow"] = TemporalQueueType.Workflow,
        ["activity"] = TemporalQueueType.Activity,
        ["nexus"] = TemporalQueueType.Nexus,
    };

    private static readonly Dictionary<string, StreamMetric> StreamMetricNames = new(StringComparer.Ordinal)
    {
        ["lag"] = StreamMetric.Lag,
        ["pending"] = StreamMetric.Pending,
    };

    private static readonly Dictionary<string, SelectPolicy> SelectPolicyNames = new(StringComparer.Ordinal)
    {
        ["Max"] = SelectPolicy.Max,
        ["Min"] = SelectPolicy.Min,
        ["Disabled"] = SelectPolicy.Disabled,
    };

    private static readonly Dictionary<string, ScalingPolicyType> PolicyTypeNames = new(StringComparer.Ordinal)
    {
        ["Pods"] = ScalingPolicyType.Pods,
        ["Percent"] = ScalingPolicyType.Percent,
    };

    private static readonly Dictionary<string, TriggerActivation> ActivationNames = new(StringComparer.Ordinal)
    {
        ["poll"] = TriggerActivation.Poll,
        ["push"] = TriggerActivation.Push,
    };

    private static readonly Dictionary<string, ScalingSignal> SignalNames = new(StringComparer.Ordinal)
    {
        ["backlog"] = ScalingSignal.Backlog,
        ["work"] = ScalingSignal.Work,
    };

    private static readonly Dictionary<string, FallbackBehavior> FallbackBehaviorNames = new(StringComparer.Ordinal)
    {
        ["static"] = FallbackBehavior.Static,
        ["currentReplicas"] = FallbackBehavior.CurrentReplicas,
        ["currentReplicasIfHigher"] = FallbackBehavior.CurrentReplicasIfHigher,
        ["currentReplicasIfLower"] = FallbackBehavior.CurrentReplicasIfLower,
    };

    /// <summary>Fields a queue may take from <c>defaults</c>: everything except what identifies the queue.</summary>
    public static IReadOnlyList<string> CommonQueueFields { get; } =
    [
        "targetPerReplica", "activationThreshold", "minReplicas", "maxReplicas", "pollingIntervalSeconds",
        "cooldownSeconds", "useCachedMetrics", "behavior", "fallback", "workload", "slo", "activation",
        "signal", "activationWindowSeconds",
    ];

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
        var queues = QueueNodes(top, diagnostics);
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

        var policy = version is null || diagnostics.HasErrors ? null : new ScalerPolicy(file, environments);
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

    private static List<(string Name, MappingEntry Entry)> QueueNodes(NodeFields top, DiagnosticBag diagnostics)
    {
        var result = new List<(string, MappingEntry)>();
        if (top.Map("queues", required: true) is not { } queues)
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
        if (!EnvironmentName().IsMatch(name))
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

    private static QueuePolicy? BindQueue(string name, PolicyNode node, DiagnosticBag diagnostics)
    {
        var locations = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        var fields = NodeFields.Of(node, $"queues.{name}", diagnostics, LocationSink.Root(locations));
        if (fields is null)
        {
            return null;
        }

        var kind = fields.Text("kind", required: true) is { } k ? Kind(fields, k) : null;
        var deployment = fields.Text("deployment", required: true, pattern: ResourceName(), patternHint: "a Kubernetes Deployment name");
        QueueSource? source = kind switch
        {
            TemporalQueueSource.Kind => BindTemporalSource(fields),
            RedisStreamSource.Kind => BindStreamSource(fields),
            _ => null,
        };
        var scaling = BindScaling(fields);
        var workload = BindWorkload(fields.Map("workload", required: true));
        var slo = fields.Map("slo", required: true) is { } sloFields ? BindSlo(sloFields) : null;
        var activation = fields.Choice("activation", ActivationNames, TriggerActivation.Poll);
        var signal = fields.Choice("signal", SignalNames, ScalingSignal.Backlog);
        var window = fields.Int("activationWindowSeconds", 0, MaxActivationWindowSeconds, orDefault: 0);
        fields.RejectUnknown(kind is null ? null : $"for a {kind} queue");
        if (signal == ScalingSignal.Work && activation == TriggerActivation.Poll && fields.Has("activation"))
        {
            fields.Error("invalid-value", "activation", "activation: poll cannot apply with signal: work: the work signal is served by the push scaler, whose trigger wakes the pool the moment work arrives",
                "remove 'activation' (with signal: work the queue is always pushed), or use signal: backlog for KEDA's polled built-in trigger");
            return null;
        }

        return deployment is null || source is null || scaling is null || workload is null || slo is null || activation is null || signal is null || window is null
            ? null
            : new QueuePolicy(name, deployment, source, scaling, workload, slo, new FieldLocations(fields.Location, locations))
            {
                // The work signal's trigger is external-push: it always wakes on arrival (see QueuePolicy.Activation).
                Activation = signal == ScalingSignal.Work ? TriggerActivation.Push : activation.Value,
                Signal = signal.Value,
                ActivationWindowSeconds = window.Value,
            };
    }

    private static string? Kind(NodeFields fields, string kind)
    {
        if (kind is TemporalQueueSource.Kind or RedisStreamSource.Kind)
        {
            return kind;
        }

        fields.Error("invalid-value", "kind", $"unknown queue kind '{kind}'", $"use '{TemporalQueueSource.Kind}' (Temporal task queue) or '{RedisStreamSource.Kind}' (Redis stream + consumer group)");
        return null;
    }

    private static TemporalQueueSource? BindTemporalSource(NodeFields fields)
    {
        var taskQueue = fields.Text("taskQueue", required: true, pattern: QueueName(), patternHint: "lower-case letters, digits and '-'");
        var items = fields.List("queueTypes", required: true);
        var types = new List<TemporalQueueType>();
        foreach (var item in items ?? [])
        {
            if (fields.ChoiceOf(item, fields.Child("queueTypes"), QueueTypeNames) is { } type && !types.Contains(type))
            {
                types.Add(type);
            }
        }

        if (items is { Count: 0 })
        {
            fields.Error("invalid-value", "queueTypes", "queueTypes is empty",
                "list the task types this Deployment polls: [workflow] for a workflow worker, [activity] for an activity pool (KEDA's code default is all three)");
        }

        return taskQueue is null || items is null || types.Count == 0 || types.Count != items.Count
            ? null
            : new TemporalQueueSource(taskQueue, types);
    }

    private static RedisStreamSource? BindStreamSource(NodeFields fields)
    {
        var stream = fields.Text("stream", required: true, pattern: StreamName(), patternHint: "letters, digits, '.', '_', '-' and the {environment} token");
        var group = fields.Text("consumerGroup", required: true, pattern: StreamName(), patternHint: "letters, digits, '.', '_' and '-'");
        var metric = fields.Choice("metric", StreamMetricNames, StreamMetric.Lag);
        return stream is null || group is null || metric is null ? null : new RedisStreamSource(stream, group, metric.Value);
    }

    private static ScalingSettings? BindScaling(NodeFields fields)
    {
        var target = fields.Int("targetPerReplica", 1, required: true);
        var activation = fields.Int("activationThreshold", 0, orDefault: 0);
        var min = fields.Int("minReplicas", 0, orDefault: 0);
        var max = fields.Int("maxReplicas", 1, required: true);
        var polling = fields.Int("pollingIntervalSeconds", 1, orDefault: 30);
        var cooldown = fields.Int("cooldownSeconds", 0, orDefault: 300);
        var cached = fields.Flag("useCachedMetrics", false);
        var behaviorFields = fields.Map("behavior");
        var behavior = behaviorFields is null ? null : BindBehavior(behaviorFields);
        var fallbackFields = fields.Map("fallback");
        var fallback = fallbackFields is null ? null : BindFallback(fallbackFields);

        if (min is { } lo && max is { } hi && lo > hi)
        {
            fields.Error("min-above-max", "minReplicas", $"minReplicas {lo} is above maxReplicas {hi}; KEDA's webhook rejects the ScaledObject",
                $"lower minReplicas to at most {hi} or raise maxReplicas");
            return null;
        }

        var behaviorInvalid = behaviorFields is not null && behavior is null;
        var fallbackInvalid = fallbackFields is not null && fallback is null;
        return target is null || activation is null || min is null || max is null || polling is null || cooldown is null
               || cached is null || behaviorInvalid || fallbackInvalid
            ? null
            : new ScalingSettings(target.Value, activation.Value, min.Value, max.Value, polling.Value, cooldown.Value, cached.Value, behavior, fallback);
    }

    private static HpaBehavior? BindBehavior(NodeFields fields)
    {
        var upFields = fields.Map("scaleUp");
        var downFields = fields.Map("scaleDown");
        fields.RejectUnknown();
        var up = upFields is null ? null : BindRules(upFields);
        var down = downFields is null ? null : BindRules(downFields);
        return (upFields is not null && up is null) || (downFields is not null && down is null) ? null : new HpaBehavior(up, down);
    }

    private static HpaScalingRules? BindRules(NodeFields fields)
    {
        // §2.5 limits: stabilizationWindowSeconds 0..3600, periodSeconds 1..1800, selectPolicy Max/Min/Disabled.
        var window = fields.Int("stabilizationWindowSeconds", 0, 3600);
        var select = fields.Choice<SelectPolicy>("selectPolicy", SelectPolicyNames);
        var tolerance = fields.Number("tolerance", 0, 1);
        var items = fields.List("policies");
        var policies = new List<HpaScalingPolicy>();
        var valid = true;
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var policyFields = NodeFields.Of(items![i], fields.Child($"policies[{i}]"), fields.Diagnostics);
            if (policyFields is null)
            {
                valid = false;
                continue;
            }

            var type = policyFields.Choice("type", PolicyTypeNames, required: true);
            var value = policyFields.Int("value", 1, required: true);
            var period = policyFields.Int("periodSeconds", 1, 1800, required: true);
            policyFields.RejectUnknown();
            if (type is null || value is null || period is null)
            {
                valid = false;
                continue;
            }

            policies.Add(new HpaScalingPolicy(type.Value, value.Value, period.Value));
        }

        if (items is { Count: 0 })
        {
            fields.Error("invalid-value", "policies", "policies is an empty list; the API server rejects a behaviour without policies",
                "remove 'policies' to get the defaults, or list at least one {type, value, periodSeconds}");
            valid = false;
        }

        fields.RejectUnknown();
        var unset = (fields.Has("stabilizationWindowSeconds") && window is null) || (fields.Has("selectPolicy") && select is null)
            || (fields.Has("tolerance") && tolerance is null) || (fields.Has("policies") && items is null);
        return !valid || unset ? null : new HpaScalingRules(window, select, items is null ? null : policies, tolerance);
    }

    private static FallbackSettings? BindFallback(NodeFields fields)
    {
        var threshold = fields.Int("failureThreshold", 0, required: true);
        var replicas = fields.Int("replicas", 0, required: true);
        var behavior = fields.Choice("behavior", FallbackBehaviorNames, FallbackBehavior.Static);
        fields.RejectUnknown();
        return threshold is null || replicas is null || behavior is null ? null : new FallbackSettings(threshold.Value, replicas.Value, behavior.Value);
    }

    private static WorkloadProfile? BindWorkload(NodeFields? fields)
    {
        if (fields is null)
        {
            return null;
        }

        var perOrder = fields.Number("itemsPerOrder", 0, 1000, required: true);
        var rate = fields.Number("serviceRatePerReplica", 0, required: true, exclusiveMin: true);
        var concurrency = fields.Int("concurrencyPerReplica", 1, required: true);
        var startup = fields.Int("startupSeconds", 0, 3600, required: true);
        var longest = fields.Int("longestTaskSeconds", 1, required: true);
        fields.RejectUnknown();
        return perOrder is null || rate is null || concurrency is null || startup is null || longest is null
            ? null
            : new WorkloadProfile(perOrder.Value, rate.Value, concurrency.Value, startup.Value, longest.Value);
    }

    private static ServiceLevel? BindSlo(NodeFields fields)
    {
        var wait = fields.Int("queueWaitSeconds", 1, required: true);
        fields.RejectUnknown();
        return wait is null ? null : new ServiceLevel(wait.Value);
    }

    private static ClusterSettings? BindCluster(PolicyNode? node, DiagnosticBag diagnostics)
    {
        if (node is null)
        {
            return ClusterSettings.Default;
        }

        if (NodeFields.Of(node, "cluster", diagnostics) is not { } fields)
        {
            return null;
        }

        var sync = fields.Int("hpaSyncPeriodSeconds", 1, 600, ClusterSettings.DefaultSyncPeriodSeconds);
        var tolerance = fields.Number("tolerance", 0, 1, ClusterSettings.DefaultTolerance);
        var window = fields.Int("downscaleStabilizationSeconds", 0, 3600, ClusterSettings.DefaultDownscaleStabilizationSeconds);
        fields.RejectUnknown();
        return sync is null || tolerance is null || window is null ? null : new ClusterSettings(sync.Value, tolerance.Value, window.Value);
    }

    private static TrafficProfile? BindTraffic(PolicyNode? node, DiagnosticBag diagnostics, SourceLocation environment)
    {
        if (node is null)
        {
            diagnostics.Error("missing-field", environment, "traffic", "no traffic profile is declared",
                "add 'traffic:' with ordersPerDay, peakToMeanRatio, peakHour and spike (factor, startHour, minutes)");
            return null;
        }

        if (NodeFields.Of(node, "traffic", diagnostics) is not { } fields)
        {
            return null;
        }

        var perDay = fields.Number("ordersPerDay", 0, required: true, exclusiveMin: true);
        // A cosine day curve stays non-negative only while the peak is at most twice the mean.
        var peakToMean = fields.Number("peakToMeanRatio", 1, 2, required: true);
        var peakHour = fields.Number("peakHour", 0, 24, required: true, exclusiveMin: false);
        var spikeFields = fields.Map("spike", required: true);
        fields.RejectUnknown();
        SpikeProfile? spike = null;
        if (spikeFields is not null)
        {
            var factor = spikeFields.Number("factor", 1, 1000, required: true);
            var start = spikeFields.Number("startHour", 0, 24, required: true);
            var minutes = spikeFields.Int("minutes", 0, 1440, required: true);
            spikeFields.RejectUnknown();
            spike = factor is null || start is null || minutes is null ? null : new SpikeProfile(factor.Value, start.Value, minutes.Value);
        }

        return perDay is null || peakToMean is null || peakHour is null || spike is null
            ? null
            : new TrafficProfile(perDay.Value, peakToMean.Value, peakHour.Value, spike, fields.Location);
    }

    private static (TemporalConnection? Temporal, RedisConnection? Redis, PushScalerConnection? Push) BindConnections(
        PolicyNode? node, string environment, List<QueuePolicy> queues, DiagnosticBag diagnostics, SourceLocation environmentLocation)
    {
        var fields = NodeFields.Of(node, "connections", diagnostics);
        var temporalFields = fields?.Map("temporal");
        var redisFields = fields?.Map("redis");
        var pushFields = fields?.Map("pushScaler");
        fields?.RejectUnknown();

        var temporal = temporalFields is null ? null : BindTemporal(temporalFields, environment);
        var redis = redisFields is null ? null : BindRedis(redisFields);
        var push = pushFields is null ? null : BindPushScaler(pushFields, environment);
        var location = fields?.Location ?? environmentLocation;
        if (temporalFields is null && queues.Exists(q => q.Source is TemporalQueueSource))
        {
            diagnostics.Error("missing-field", location, "connections.temporal", $"environment {environment} has Temporal queues but no Temporal connection",
                "add connections.temporal with endpoint (or endpointFromEnv), namespace and rateBudgetPerSecond");
        }

        if (redisFields is null && queues.Exists(q => q.Source is RedisStreamSource))
        {
            diagnostics.Error("missing-field", location, "connections.redis", $"environment {environment} has Redis stream queues but no Redis connection",
                "add connections.redis with address (or addressFromEnv) and passwordSecret");
        }

        if (pushFields is null && queues.Find(q => q.UsesPushScaler) is { } pushed)
        {
            var field = pushed.Signal == ScalingSignal.Work ? "signal" : "activation";
            var setting = pushed.Signal == ScalingSignal.Work ? "signal: work" : "activation: push";
            diagnostics.Error("missing-field", pushed.Locations.Of(field), "connections.pushScaler",
                $"queue {pushed.Name} uses {setting} in environment {environment}, but there is no push scaler connection",
                "add connections.pushScaler with the address of workers/Serverless.Scaler's gRPC port, e.g. serverless-scaler.<namespace>.svc.cluster.local:9090");
        }

        return (temporal, redis, push);
    }

    private static PushScalerConnection? BindPushScaler(NodeFields fields, string environment)
    {
        var address = fields.Text("address", required: true, pattern: HostPort(), patternHint: "host:port (a DNS name, the {environment} token allowed)")
            ?.Replace(PolicyTokens.Environment, environment, StringComparison.Ordinal);
        fields.RejectUnknown();
        return address is null ? null : new PushScalerConnection(address, fields.Location);
    }

    private static TemporalConnection? BindTemporal(NodeFields fields, string environment)
    {
        var endpoint = fields.Text("endpoint");
        var fromEnv = fields.Text("endpointFromEnv", pattern: EnvVarName(), patternHint: "an environment variable name");
        var ns = fields.Text("namespace", orDefault: PolicyTokens.Environment)?.Replace(PolicyTokens.Environment, environment, StringComparison.Ordinal);
        var budget = fields.Number("rateBudgetPerSecond", 0, required: true, exclusiveMin: true);
        var apiKey = fields.Map("apiKeySecret") is { } secret ? BindSecret(secret) : null;
        fields.RejectUnknown();
        if ((endpoint is null) == (fromEnv is null))
        {
            fields.Error("invalid-value", endpoint is null ? "endpointFromEnv" : "endpoint", "set exactly one of endpoint and endpointFromEnv",
                "endpoint: host:port of the Temporal frontend, or endpointFromEnv: the worker's environment variable holding it");
            return null;
        }

        return ns is null || budget is null ? null : new TemporalConnection(endpoint, fromEnv, ns, budget.Value, apiKey, fields.Location);
    }

    private static RedisConnection? BindRedis(NodeFields fields)
    {
        var address = fields.Text("address");
        var fromEnv = fields.Text("addressFromEnv", pattern: EnvVarName(), patternHint: "an environment variable name");
        var password = fields.Map("passwordSecret") is { } secret ? BindSecret(secret) : null;
        var database = fields.Int("databaseIndex", 0, 15, 0);
        var tls = fields.Flag("enableTls", false);
        fields.RejectUnknown();
        if ((address is null) == (fromEnv is null))
        {
            fields.Error("invalid-value", address is null ? "addressFromEnv" : "address", "set exactly one of address and addressFromEnv",
                "address: host:port of Redis, or addressFromEnv: the consumer's environment variable holding it");
            return null;
        }

        return database is null || tls is null ? null : new RedisConnection(address, fromEnv, password, database.Value, tls.Value, fields.Location);
    }

    private static SecretReference? BindSecret(NodeFields fields)
    {
        var name = fields.Text("name", required: true, pattern: ResourceName(), patternHint: "a Kubernetes Secret name");
        var key = fields.Text("key", required: true);
        fields.RejectUnknown();
        return name is null || key is null ? null : new SecretReference(name, key);
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

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$")]
    private static partial Regex ResourceName();

    [GeneratedRegex("^[a-z][a-z0-9]{1,19}$")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex QueueName();

    [GeneratedRegex(@"^([A-Za-z0-9._-]|\{environment\})+$")]
    private static partial Regex StreamName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvVarName();

    [GeneratedRegex(@"^([a-z0-9.-]|\{environment\})+:[0-9]{1,5}$")]
    private static partial Regex HostPort();
}

using Serverless.Scaling.Autoscaling;

namespace Serverless.Scaling.Policy;

/// <summary>A queue: its source (Temporal task queue or Redis stream) and its scaling, fallback, workload and SLO.</summary>
public static partial class PolicyLoader
{
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
}

using Serverless.Naming;
using Serverless.Scaling.Autoscaling;

namespace Serverless.Scaling.Policy;

/// <summary>What an environment shares across its queues: cluster, connections (Temporal, Redis, push scaler, secrets) and traffic.</summary>
public static partial class PolicyLoader
{
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
            is { } template ? ResourceNames.Expand(template, environment) : null;
        fields.RejectUnknown();
        return address is null ? null : new PushScalerConnection(address, fields.Location);
    }

    private static TemporalConnection? BindTemporal(NodeFields fields, string environment)
    {
        var endpoint = fields.Text("endpoint");
        var fromEnv = fields.Text("endpointFromEnv", pattern: EnvVarName(), patternHint: "an environment variable name");
        var ns = fields.Text("namespace", orDefault: ResourceNames.EnvironmentToken) is { } template ? ResourceNames.Expand(template, environment) : null;
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
}

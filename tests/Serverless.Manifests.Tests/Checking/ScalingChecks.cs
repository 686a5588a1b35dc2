using System.Globalization;
using System.Text.Json.Nodes;
using Serverless.Consumers.Consuming;
using Serverless.Naming;
using Serverless.Workers.Queues;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>
/// ScaledObjects (and the functions' HPA) against the render: the target exists and is a Deployment; each
/// trigger's metadata is valid for its scaler (platform-semantics §3.1, §4.1, §5: required keys, numbers as
/// strings, activation below target); and the trigger reads what the scaled deployable is configured to use,
/// by the deployables' own naming rules (ResourceNames, QueueCatalog, ConsumerOptions).
/// </summary>
public static class ScalingChecks
{
    /// <summary>The Temporal API key of every Temporal client (TemporalOptions.ApiKey).</summary>
    private const string TemporalApiKey = "Temporal__ApiKey";

    private static readonly string[] QueueTypeNames = ["workflow", "activity", "nexus"];

    public static IEnumerable<Finding> Check(ManifestSet manifests)
    {
        foreach (var scaler in manifests.OfKind("ScaledObject").Concat(manifests.OfKind("HorizontalPodAutoscaler")))
        {
            var target = Target(manifests, scaler, out var targetFinding);
            if (targetFinding is not null)
            {
                yield return targetFinding;
            }

            if (scaler.Kind != "ScaledObject")
            {
                continue;
            }

            var min = scaler.At("spec.minReplicaCount")?.GetValue<long>() ?? 0;
            var max = scaler.At("spec.maxReplicaCount")?.GetValue<long>() ?? 100;
            if (min > max)
            {
                yield return new Finding(scaler.Id, "spec.minReplicaCount", $"{min} is above maxReplicaCount {max} (KEDA's webhook rejects it)");
            }

            var triggers = scaler.At("spec.triggers")?.AsArray() ?? [];
            for (var i = 0; i < triggers.Count; i++)
            {
                var trigger = new Trigger(scaler, triggers[i]!, $"spec.triggers[{i}]");
                foreach (var finding in trigger.Check(manifests, target))
                {
                    yield return finding;
                }
            }
        }
    }

    private static Manifest? Target(ManifestSet manifests, Manifest scaler, out Finding? finding)
    {
        var kind = Manifest.Text(scaler.At("spec.scaleTargetRef.kind")) ?? "Deployment";
        var name = Manifest.Text(scaler.At("spec.scaleTargetRef.name")) ?? string.Empty;
        var target = manifests.Find(kind, name);
        finding = kind != "Deployment"
            ? new Finding(scaler.Id, "spec.scaleTargetRef.kind", $"scales a {kind}; every scaled deployable here is a Deployment")
            : target is null
                ? new Finding(scaler.Id, "spec.scaleTargetRef.name", $"Deployment '{name}' is not in the same render")
                : null;
        return kind == "Deployment" ? target : null;
    }

    private sealed class Trigger(Manifest scaler, JsonNode node, string path)
    {
        private readonly JsonObject metadata = node["metadata"] as JsonObject ?? [];
        private readonly List<Finding> findings = [];

        public List<Finding> Check(ManifestSet manifests, Manifest? target)
        {
            var type = Manifest.Text(node["type"]);
            var source = type == "external-push" ? Required("source") : type;
            if (type == "external-push")
            {
                ScalerAddress(manifests);
            }

            var environment = target is null ? null : new ContainerEnvironment(manifests, target.At("spec.template.spec.containers")![0]!);
            switch (source)
            {
                case "temporal":
                    Temporal(environment, builtIn: type == "temporal");
                    TemporalCredentials(manifests, environment, builtIn: type == "temporal");
                    break;
                case "redis-streams":
                    Stream(manifests, environment, builtIn: type == "redis-streams");
                    break;
                default:
                    Add("type", $"unknown scaler '{type}' (source '{source}'): expected temporal, redis-streams or external-push");
                    break;
            }

            return findings;
        }

        private void Temporal(ContainerEnvironment? environment, bool builtIn)
        {
            if (builtIn)
            {
                RequiredOneOf("endpoint", "endpointFromEnv");
            }

            var ns = Required("namespace");
            var taskQueue = Required("taskQueue");
            var types = (Required("queueTypes") ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var unknown in types.Where(t => !QueueTypeNames.Contains(t)))
            {
                Add("metadata.queueTypes", $"unknown queue type '{unknown}' (workflow, activity, nexus)");
            }

            var target = Number("targetQueueSize", positive: true);
            Activation("activationTargetQueueSize", target);
            if (environment is null)
            {
                return;
            }

            if (EnvironmentOf(environment) is not { } deployment)
            {
                return;
            }

            var polled = (environment["Workers__Poll"] ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (polled.Length != 1 || !QueueCatalog.Queues.TryGetValue(polled[0], out var queue))
            {
                Add("metadata.taskQueue", $"the scaled Deployment must poll exactly one known task queue (Workers__Poll), got '{environment["Workers__Poll"]}'");
                return;
            }

            Expect("metadata.taskQueue", taskQueue, ResourceNames.For(deployment, queue.Name), "the Deployment's physical task queue (Serverless__Environment-Workers__Poll)");
            Expect("metadata.namespace", ns, environment["Temporal__Namespace"] ?? deployment, "the Deployment's Temporal__Namespace");
            if (builtIn)
            {
                Connection(environment, "endpoint", environment["Temporal__Address"], "the Deployment's Temporal__Address");
            }

            var hosted = new[] { queue.Workflows.Count > 0 ? "workflow" : null, queue.Activities.Count > 0 ? "activity" : null }.OfType<string>();
            Expect("metadata.queueTypes", string.Join(',', types.Order(StringComparer.Ordinal)), string.Join(',', hosted.Order(StringComparer.Ordinal)),
                $"the task types queue '{queue.Name}' hosts (QueueCatalog)");

            // The target per replica is one replica's slots for the task type it is sized by.
            var slots = queue.Workflows.Count > 0
                ? Slots(environment, queue.Name, "MaxConcurrentWorkflowTasks", new QueueOptions().MaxConcurrentWorkflowTasks)
                : Slots(environment, queue.Name, "MaxConcurrentActivities", new QueueOptions().MaxConcurrentActivities);
            if (target is { } size && size != slots)
            {
                Add("metadata.targetQueueSize", $"{size} differs from one replica's slots ({slots}, Workers__Queues__{queue.Name}__...): the HPA would size the pool wrongly");
            }
        }

        /// <summary>
        /// Whoever asks Temporal for the backlog must hold the key the workers hold (<c>Temporal__ApiKey</c>): a built-in
        /// trigger through a TriggerAuthentication whose <c>apiKey</c> reads the same Secret key (platform-semantics §3.3:
        /// the key also turns TLS on, as it does for the workers), an external-push trigger through the push scaler's
        /// own <c>Temporal__ApiKey</c>. Otherwise provisioning the key locks the scalers out.
        /// </summary>
        private void TemporalCredentials(ManifestSet manifests, ContainerEnvironment? environment, bool builtIn)
        {
            if (environment?.Variable(TemporalApiKey)?.Secret is not { } workers)
            {
                return;
            }

            if (!builtIn)
            {
                var scaler = PushScaler(manifests);
                var held = scaler is null ? null : new ContainerEnvironment(manifests, scaler.At("spec.template.spec.containers")![0]!).Variable(TemporalApiKey)?.Secret;
                if (scaler is not null && held != workers)
                {
                    Add("metadata.scalerAddress", $"the push scaler (Deployment/{scaler.Name}) reads Temporal for this trigger with {TemporalApiKey} from {held?.ToString() ?? "nothing"}, the workers hold {workers}");
                }

                return;
            }

            var name = Manifest.Text(Manifest.Path(node, "authenticationRef.name"));
            var authentication = name is null ? null : manifests.Find(Manifest.Text(Manifest.Path(node, "authenticationRef.kind")) ?? "TriggerAuthentication", name);
            var apiKey = (authentication?.At("spec.secretTargetRef")?.AsArray() ?? [])
                .Where(r => Manifest.Text(r?["parameter"]) == "apiKey").Select(SecretKey.Of).FirstOrDefault();
            if (apiKey != workers)
            {
                Add("authenticationRef", authentication is null
                    ? $"the workers mount {TemporalApiKey} from {workers}: the trigger needs an authenticationRef to a TriggerAuthentication whose apiKey reads it ({(name is null ? "none set" : $"'{name}' is not in the render")})"
                    : $"TriggerAuthentication/{authentication.Name} gives apiKey from {apiKey?.ToString() ?? "nothing"}, the workers mount {TemporalApiKey} from {workers}");
            }
        }

        private void Stream(ManifestSet manifests, ContainerEnvironment? environment, bool builtIn)
        {
            if (builtIn && !metadata.ContainsKey("host"))
            {
                RequiredOneOf("address", "addressFromEnv");
            }

            var stream = Required("stream");
            var group = Required("consumerGroup");
            var lag = Number("lagCount", positive: true);
            Activation("activationLagCount", lag);
            if (builtIn && metadata.ContainsKey("databaseIndex"))
            {
                Number("databaseIndex", positive: false);
            }

            if (builtIn && Manifest.Text(Manifest.Path(node, "authenticationRef.name")) is { } authentication && manifests.Find("TriggerAuthentication", authentication) is null)
            {
                Add("authenticationRef.name", $"TriggerAuthentication '{authentication}' is not in the render");
            }

            if (environment is null)
            {
                return;
            }

            var streams = (environment["Consumer__Streams"] ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (streams.Length != 1)
            {
                Add("metadata.stream", $"the scaled Deployment must read exactly one stream (Consumer__Streams), got '{environment["Consumer__Streams"]}'");
                return;
            }

            var consumer = new ConsumerOptions { Handler = environment["Consumer__Handler"] ?? string.Empty, Group = environment["Consumer__Group"] };
            if (EnvironmentOf(environment) is not { } deployment)
            {
                return;
            }

            Expect("metadata.stream", stream, ResourceNames.For(deployment, streams[0]), "the Deployment's physical stream (Serverless__Environment-Consumer__Streams)");
            Expect("metadata.consumerGroup", group, consumer.GroupName, "the Deployment's consumer group (Consumer__Group, else the handler name)");
            var app = RedisConnection.Parse(environment["Redis__Configuration"]);
            var appHost = environment.Origin(app.Endpoint);
            if (builtIn)
            {
                Connection(environment, "address", appHost, "the Redis endpoint of the Deployment's Redis__Configuration");
                Expect("metadata.databaseIndex", Text("databaseIndex") ?? "0", app.Database, "the database of the Deployment's Redis__Configuration");
            }
            else if (PushScaler(manifests) is { } scaler)
            {
                var scalerEnvironment = new ContainerEnvironment(manifests, scaler.At("spec.template.spec.containers")![0]!);
                var pushed = RedisConnection.Parse(scalerEnvironment["Scaler__Redis"]);
                Expect("metadata.stream", $"{scalerEnvironment.Origin(pushed.Endpoint)}/{pushed.Database}", $"{appHost}/{app.Database}",
                    $"the push scaler's Scaler__Redis (Deployment/{scaler.Name}) pointing at the consumer's Redis database");
            }
        }

        /// <summary>The push scaler's address must be a Service of this render (DNS name, port).</summary>
        private void ScalerAddress(ManifestSet manifests)
        {
            var address = Required("scalerAddress");
            if (address is null)
            {
                return;
            }

            if (Service(manifests, address) is null)
            {
                Add("metadata.scalerAddress", $"'{address}' is not <service>.<namespace>.svc.cluster.local:<port> of a Service in this render");
            }
        }

        private Manifest? PushScaler(ManifestSet manifests)
        {
            var service = Text("scalerAddress") is { } address ? Service(manifests, address) : null;
            var selector = service?.At("spec.selector") as JsonObject;
            return selector is null ? null : manifests.OfKind("Deployment").FirstOrDefault(d =>
                selector.All(p => Manifest.Text(d.At($"spec.template.metadata.labels")?[p.Key]) == Manifest.Text(p.Value)));
        }

        private static Manifest? Service(ManifestSet manifests, string address)
        {
            var colon = address.LastIndexOf(':');
            var host = colon < 0 ? address : address[..colon];
            var port = colon < 0 ? string.Empty : address[(colon + 1)..];
            var labels = host.Split('.');
            return labels.Length == 5 && host.EndsWith(".svc.cluster.local", StringComparison.Ordinal)
                ? manifests.OfKind("Service").FirstOrDefault(s => s.Name == labels[0] && s.Namespace == labels[1]
                    && (s.At("spec.ports")?.AsArray() ?? []).Any(p => p?["port"]?.ToString() == port))
                : null;
        }

        /// <summary>
        /// <c>key</c> literally, or <c>keyFromEnv</c>: a variable KEDA resolves from the scaled container's environment,
        /// which must exist there and hold what the app itself uses. KEDA resolves envFrom ConfigMaps and Secrets, plain
        /// values with <c>$(VAR)</c> expansion, configMapKeyRef and secretKeyRef, and skips fieldRef (kedacore/keda
        /// pkg/scaling/resolver/scale_resolvers.go, resolveEnv, v2.20.2), so a variable from a Secret counts by its key.
        /// </summary>
        private void Connection(ContainerEnvironment environment, string key, string? expected, string what)
        {
            if (Text($"{key}FromEnv") is not { } variable)
            {
                Expect($"metadata.{key}", Text(key), expected, what);
                return;
            }

            if (environment.Variable(variable) is not { } resolved)
            {
                Add($"metadata.{key}FromEnv", $"the scaled container has no variable {variable} for KEDA to read");
                return;
            }

            Expect($"metadata.{key}FromEnv", resolved.Origin, expected, what);
        }

        private static int Slots(ContainerEnvironment environment, string queue, string setting, int fallback) =>
            int.TryParse(environment[$"Workers__Queues__{queue}__{setting}"], CultureInfo.InvariantCulture, out var slots) ? slots : fallback;

        private string? Text(string key) => Manifest.Text(metadata[key]);

        private string? Required(string key)
        {
            var value = Text(key);
            if (string.IsNullOrWhiteSpace(value))
            {
                Add($"metadata.{key}", "is required");
            }

            return value;
        }

        private void RequiredOneOf(string first, string second)
        {
            if (Text(first) is null == (Text(second) is null))
            {
                Add($"metadata.{first}", $"set exactly one of {first} and {second}");
            }
        }

        /// <summary>KEDA reads metadata as strings: a number must be a quoted decimal string.</summary>
        private double? Number(string key, bool positive)
        {
            var node = metadata[key];
            if (node is null)
            {
                Add($"metadata.{key}", "is required");
                return null;
            }

            var kind = node.GetValueKind();
            var text = Manifest.Text(node);
            if (kind != System.Text.Json.JsonValueKind.String || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || (positive && value == 0))
            {
                Add($"metadata.{key}", $"must be a {(positive ? "positive" : "non-negative")} number written as a string, got {node.ToJsonString()}");
                return null;
            }

            return value;
        }

        /// <summary>Active iff metric &gt; activation (§1.2): an activation at or above the target strands a replica's worth of work.</summary>
        private void Activation(string key, double? target)
        {
            if (metadata.ContainsKey(key) && Number(key, positive: false) is { } activation && target is { } t && activation >= t)
            {
                Add($"metadata.{key}", $"{activation} is not below the target {t}");
            }
        }

        /// <summary>The Deployment's environment, or a finding when it names none that is valid.</summary>
        private string? EnvironmentOf(ContainerEnvironment environment)
        {
            var name = environment["Serverless__Environment"];
            if (ResourceNames.IsValidEnvironment(name))
            {
                return name;
            }

            Add("scaleTargetRef", $"the scaled Deployment's Serverless__Environment is '{name}', not {ResourceNames.EnvironmentRule}");
            return null;
        }

        private void Expect(string field, string? actual, string? expected, string what)
        {
            if (!string.Equals(actual, expected, StringComparison.Ordinal))
            {
                Add(field, $"is '{actual}' but {what} is '{expected}'");
            }
        }

        private void Add(string field, string message) => findings.Add(new Finding(scaler.Id, $"{path}.{field}", message));
    }
}

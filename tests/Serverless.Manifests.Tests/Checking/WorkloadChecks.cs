using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Platform.Hosting;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>
/// What every Deployment must have and a schema cannot require: resources, the three probes on the health
/// endpoints, the restricted security context, a pinned image, a grace period above the shutdown budget (also
/// for the Dapr sidecar), a disruption budget, its ServiceAccount.
/// </summary>
public static partial class WorkloadChecks
{
    private static readonly string[] DaprAnnotations =
    [
        "dapr.io/app-id", "dapr.io/app-port", "dapr.io/app-protocol", "dapr.io/config",
        "dapr.io/sidecar-cpu-request", "dapr.io/sidecar-cpu-limit", "dapr.io/sidecar-memory-request", "dapr.io/sidecar-memory-limit",
    ];

    private const string Zone = "topology.kubernetes.io/zone";

    private const string NameLabel = "app.kubernetes.io/name";

    private static readonly string[] SpreadKeys = [Zone, "kubernetes.io/hostname"];

    public static IEnumerable<Finding> Check(ManifestSet manifests)
    {
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var pod = deployment.At("spec.template.spec");
            var containers = (pod?["containers"]?.AsArray() ?? []).Select((c, i) => (Node: c!, Path: $"spec.template.spec.containers[{i}]"))
                .Concat((pod?["initContainers"]?.AsArray() ?? []).Select((c, i) => (Node: c!, Path: $"spec.template.spec.initContainers[{i}]")));
            foreach (var (container, path) in containers)
            {
                foreach (var finding in Container(deployment, pod!, container, path))
                {
                    yield return finding;
                }

                foreach (var finding in Shutdown(manifests, deployment, pod!, container, path))
                {
                    yield return finding;
                }
            }

            foreach (var finding in Surroundings(manifests, deployment, pod))
            {
                yield return finding;
            }
        }
    }

    private static IEnumerable<Finding> Container(Manifest deployment, JsonNode pod, JsonNode container, string path)
    {
        foreach (var field in new[] { "requests.cpu", "requests.memory", "limits.cpu", "limits.memory" })
        {
            if (Manifest.Path(container, $"resources.{field}") is null)
            {
                yield return new Finding(deployment.Id, $"{path}.resources.{field}", "every container states its resource requests and limits");
            }
        }

        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            var probePath = Manifest.Text(Manifest.Path(container, $"{probe}.httpGet.path"));
            if (probePath is null || !probePath.StartsWith("/health/", StringComparison.Ordinal))
            {
                yield return new Finding(deployment.Id, $"{path}.{probe}", $"needs an HTTP probe on a health endpoint (/health/live, /health/ready), got {probePath ?? "none"}");
            }
        }

        // The container's setting wins over the pod's where both exist (runAsNonRoot, seccompProfile).
        string? Effective(string field) => Manifest.Text(Manifest.Path(container, $"securityContext.{field}")) ?? Manifest.Text(Manifest.Path(pod, $"securityContext.{field}"));
        var required = new (string Field, string? Value, string Expected)[]
        {
            ("runAsNonRoot", Effective("runAsNonRoot"), "true"),
            ("allowPrivilegeEscalation", Manifest.Text(Manifest.Path(container, "securityContext.allowPrivilegeEscalation")), "false"),
            ("readOnlyRootFilesystem", Manifest.Text(Manifest.Path(container, "securityContext.readOnlyRootFilesystem")), "true"),
            ("seccompProfile.type", Effective("seccompProfile.type"), "RuntimeDefault"),
        };
        foreach (var (field, value, expected) in required.Where(r => !string.Equals(r.Value, r.Expected, StringComparison.OrdinalIgnoreCase)))
        {
            yield return new Finding(deployment.Id, $"{path}.securityContext.{field}", $"must be {expected}, got {value ?? "unset"}");
        }

        if (!(Manifest.Path(container, "securityContext.capabilities.drop")?.AsArray() ?? []).Any(c => Manifest.Text(c) == "ALL"))
        {
            yield return new Finding(deployment.Id, $"{path}.securityContext.capabilities.drop", "must drop ALL capabilities");
        }

        var image = Manifest.Text(container["image"]) ?? string.Empty;
        if (!PinnedImage().IsMatch(image))
        {
            yield return new Finding(deployment.Id, $"{path}.image", $"'{image}' is not pinned: use an exact version tag (not latest) or a digest");
        }
    }

    /// <summary>
    /// The platform's shutdown budget (ShutdownBudgetOptions): SIGTERM → exit within Budget, so the kubelet must wait
    /// at least Budget + 10 s; a Dapr sidecar must stay up while the app drains and still finish within the period.
    /// </summary>
    private static IEnumerable<Finding> Shutdown(ManifestSet manifests, Manifest deployment, JsonNode pod, JsonNode container, string path)
    {
        var environment = new ContainerEnvironment(manifests, container);
        if (!environment.Has("Serverless__Environment"))
        {
            yield break; // not a platform host (the dev simulators): no shutdown budget to honour
        }

        var grace = (int?)Manifest.Path(pod, "terminationGracePeriodSeconds")?.GetValue<long>() ?? 30;
        if (!TimeSpan.TryParse(environment["Shutdown__Budget"], CultureInfo.InvariantCulture, out var budget))
        {
            yield return new Finding(deployment.Id, $"{path}.env.Shutdown__Budget", "a platform host states its shutdown budget explicitly (the grace period is derived from it)");
            yield break;
        }

        // The kubelet runs preStop before SIGTERM, inside the same grace period: the app's budget starts after it.
        var preStop = (int?)Manifest.Path(container, "lifecycle.preStop.sleep.seconds")?.GetValue<long>() ?? 0;
        var drainEnds = preStop + budget.TotalSeconds;
        var minimum = preStop + new ShutdownBudgetOptions { Budget = budget }.MinimumTerminationGracePeriodSeconds;
        if (grace < minimum)
        {
            yield return new Finding(deployment.Id, "spec.template.spec.terminationGracePeriodSeconds", preStop == 0
                ? $"{grace} s is below Shutdown__Budget {budget.TotalSeconds} s + 10 s = {minimum} s: the kubelet would kill the drain"
                : $"{grace} s is below preStop {preStop} s + Shutdown__Budget {budget.TotalSeconds} s + 10 s = {minimum} s: the kubelet would kill the drain");
        }

        var annotations = deployment.At("spec.template.metadata.annotations");
        if (Manifest.Text(annotations?["dapr.io/enabled"]) != "true")
        {
            yield break;
        }

        foreach (var key in DaprAnnotations.Where(key => annotations?[key] is null))
        {
            yield return new Finding(deployment.Id, $"spec.template.metadata.annotations.{key}", "a pod with a Dapr sidecar states it");
        }

        var block = GoDurationSeconds(Manifest.Text(annotations?["dapr.io/block-shutdown-duration"]));
        var drain = int.TryParse(Manifest.Text(annotations?["dapr.io/graceful-shutdown-seconds"]), CultureInfo.InvariantCulture, out var seconds) ? seconds : 5;
        // The sidecar gets SIGTERM when the preStop starts (it has none), the app only after it.
        if (block is null || block < drainEnds)
        {
            yield return new Finding(deployment.Id, "spec.template.metadata.annotations.dapr.io/block-shutdown-duration",
                $"the sidecar must stay up while the app drains (preStop {preStop} s + Shutdown__Budget {budget.TotalSeconds} s = {drainEnds} s), got {Manifest.Text(annotations?["dapr.io/block-shutdown-duration"]) ?? "unset"}");
        }
        else if (block + drain >= grace)
        {
            yield return new Finding(deployment.Id, "spec.template.metadata.annotations.dapr.io/graceful-shutdown-seconds",
                $"sidecar block {block} s + drain {drain} s must end before terminationGracePeriodSeconds {grace} s");
        }
    }

    private static IEnumerable<Finding> Surroundings(ManifestSet manifests, Manifest deployment, JsonNode? pod)
    {
        var labels = deployment.At("spec.template.metadata.labels") as JsonObject ?? [];
        bool Selects(JsonNode? matchLabels) => matchLabels is JsonObject wanted && wanted.Count > 0
            && wanted.All(p => labels.TryGetPropertyValue(p.Key, out var v) && Manifest.Text(v) == Manifest.Text(p.Value));
        if (!manifests.OfKind("PodDisruptionBudget").Any(p => Selects(p.At("spec.selector.matchLabels"))))
        {
            yield return new Finding(deployment.Id, "spec.template.metadata.labels", "no PodDisruptionBudget selects these pods");
        }

        foreach (var finding in Spread(deployment, pod, labels))
        {
            yield return finding;
        }

        var account = Manifest.Text(pod?["serviceAccountName"]);
        if (account is null || manifests.Find("ServiceAccount", account) is null)
        {
            yield return new Finding(deployment.Id, "spec.template.spec.serviceAccountName", $"ServiceAccount '{account}' is not in the render");
        }
    }

    /// <summary>Replicas spread over zones and nodes: each key has a constraint that counts this Deployment's own pods.</summary>
    private static IEnumerable<Finding> Spread(Manifest deployment, JsonNode? pod, JsonObject labels)
    {
        var constraints = pod?["topologySpreadConstraints"]?.AsArray() ?? [];
        foreach (var key in SpreadKeys)
        {
            var constraint = constraints.FirstOrDefault(c => Manifest.Text(c?["topologyKey"]) == key);
            if (constraint is null)
            {
                yield return new Finding(deployment.Id, "spec.template.spec.topologySpreadConstraints", $"no spread over {key}: one {(key == Zone ? "zone" : "node")} can hold every replica");
                continue;
            }

            var ownName = (constraint["matchLabelKeys"]?.AsArray() ?? []).Any(k => Manifest.Text(k) == NameLabel)
                || Manifest.Text(Manifest.Path(constraint, "labelSelector.matchLabels")?[NameLabel]) is not null;
            if (!LabelSelector.Selects(constraint["labelSelector"], labels) || !ownName)
            {
                yield return new Finding(deployment.Id, "spec.template.spec.topologySpreadConstraints", $"the {key} constraint does not count this Deployment's own pods (select them, with {NameLabel} in matchLabelKeys or matchLabels)");
            }
        }
    }

    private static double? GoDurationSeconds(string? text)
    {
        var match = text is null ? null : GoDuration().Match(text);
        return match is not { Success: true }
            ? null
            : double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * (match.Groups[2].Value == "m" ? 60 : 1);
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(s|m)$")]
    private static partial Regex GoDuration();

    // registry/name:1.2.3 (an exact version, not latest), or name@sha256:<digest>.
    [GeneratedRegex(@"^[a-z0-9./-]+(:(?!latest$)[A-Za-z0-9][A-Za-z0-9._-]*[0-9][A-Za-z0-9._-]*|(:[A-Za-z0-9._-]+)?@sha256:[a-f0-9]{64})$")]
    private static partial Regex PinnedImage();
}

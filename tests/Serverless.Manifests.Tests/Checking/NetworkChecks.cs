using System.Globalization;
using System.Text.Json.Nodes;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>
/// What the default-deny network policies must still let through, and what they must not: Prometheus (namespace
/// <c>monitoring</c>) reaches every port a pod asks it to scrape (<c>prometheus.io/port</c>, and a Dapr sidecar's
/// metrics port 9090, platform-semantics §8.2); no egress rule opens a port to any address.
/// </summary>
public static class NetworkChecks
{
    private const string Monitoring = "monitoring";

    /// <summary>daprd's metrics port when <c>dapr.io/metrics-port</c> is not set (platform-semantics §8.2).</summary>
    private const int DaprMetricsPort = 9090;

    private static readonly string[] AnyAddress = ["0.0.0.0/0", "::/0"];

    public static IEnumerable<Finding> Check(ManifestSet manifests) => [.. Scrapes(manifests), .. OpenEgress(manifests)];

    private static IEnumerable<Finding> Scrapes(ManifestSet manifests)
    {
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var annotations = deployment.At("spec.template.metadata.annotations") as JsonObject ?? [];
            var scraped = new List<(string Annotation, int Port)>();
            if (Manifest.Text(annotations["prometheus.io/scrape"]) == "true" && int.TryParse(Manifest.Text(annotations["prometheus.io/port"]), CultureInfo.InvariantCulture, out var port))
            {
                scraped.Add(("prometheus.io/port", port));
            }

            if (Manifest.Text(annotations["dapr.io/enabled"]) == "true")
            {
                scraped.Add(("dapr.io/metrics-port", int.TryParse(Manifest.Text(annotations["dapr.io/metrics-port"]), CultureInfo.InvariantCulture, out var dapr) ? dapr : DaprMetricsPort));
            }

            var labels = LabelSelector.PodLabels(deployment);
            foreach (var (annotation, scrapedPort) in scraped.Where(s => !AllowsFromMonitoring(manifests, labels, s.Port)))
            {
                yield return new Finding(deployment.Id, $"spec.template.metadata.annotations.{annotation}",
                    $"Prometheus scrapes port {scrapedPort}, but no NetworkPolicy selecting these pods lets namespace {Monitoring} reach it (default deny)");
            }
        }
    }

    private static bool AllowsFromMonitoring(ManifestSet manifests, JsonObject labels, int port) =>
        manifests.OfKind("NetworkPolicy")
            .Where(p => LabelSelector.Selects(p.At("spec.podSelector"), labels))
            .SelectMany(p => p.At("spec.ingress")?.AsArray() ?? [])
            .Any(rule => (rule?["from"]?.AsArray() ?? []).Any(peer => NamespaceSelected(peer?["namespaceSelector"]))
                && Opens(rule?["ports"], port));

    private static bool NamespaceSelected(JsonNode? namespaceSelector) =>
        LabelSelector.Selects(namespaceSelector, new JsonObject { ["kubernetes.io/metadata.name"] = Monitoring });

    /// <summary>No <c>ports</c> means every port.</summary>
    private static bool Opens(JsonNode? ports, int port) =>
        ports is not JsonArray list || list.Count == 0 || list.Any(p => Manifest.Text(p?["port"]) == port.ToString(CultureInfo.InvariantCulture));

    private static IEnumerable<Finding> OpenEgress(ManifestSet manifests)
    {
        foreach (var policy in manifests.OfKind("NetworkPolicy"))
        {
            var rules = policy.At("spec.egress")?.AsArray() ?? [];
            for (var i = 0; i < rules.Count; i++)
            {
                var peers = rules[i]?["to"]?.AsArray() ?? [];
                var ports = string.Join(", ", (rules[i]?["ports"]?.AsArray() ?? []).Select(p => Manifest.Text(p?["port"])));
                if (peers.Count == 0)
                {
                    yield return new Finding(policy.Id, $"spec.egress[{i}].to", $"no peers: opens port {(ports.Length == 0 ? "every port" : ports)} to any address; name the destinations (ipBlock CIDRs from the overlay's configuration)");
                }

                for (var p = 0; p < peers.Count; p++)
                {
                    if (Manifest.Text(Manifest.Path(peers[p], "ipBlock.cidr")) is { } cidr && AnyAddress.Contains(cidr))
                    {
                        yield return new Finding(policy.Id, $"spec.egress[{i}].to[{p}].ipBlock.cidr", $"{cidr} is any address: name the destinations' CIDRs");
                    }
                }
            }
        }
    }
}

using System.Text.Json.Nodes;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>
/// Dapr annotations mean something only with a sidecar (platform-semantics §8.2: the injector acts on
/// <c>dapr.io/enabled: "true"</c> alone), and a resource's <c>scopes</c> reach only the app ids of pods that have one:
/// an annotation without a sidecar, or a scope naming an app id no sidecar carries, promises what nothing does.
/// </summary>
public static class DaprChecks
{
    private const string Prefix = "dapr.io/";

    private static readonly string[] ScopedKinds = ["Component", "Subscription", "Resiliency", "Configuration"];

    public static IEnumerable<Finding> Check(ManifestSet manifests)
    {
        var sidecarAppIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var annotations = deployment.At("spec.template.metadata.annotations") as JsonObject ?? [];
            if (Manifest.Text(annotations["dapr.io/enabled"]) == "true")
            {
                sidecarAppIds.Add(Manifest.Text(annotations["dapr.io/app-id"]) ?? deployment.Name);
                continue;
            }

            foreach (var key in annotations.Select(a => a.Key).Where(k => k.StartsWith(Prefix, StringComparison.Ordinal) && k != "dapr.io/enabled"))
            {
                yield return new Finding(deployment.Id, $"spec.template.metadata.annotations.{key}", "a Dapr annotation on a pod without a sidecar (dapr.io/enabled is not \"true\"): nothing reads it");
            }
        }

        foreach (var resource in manifests.All.Where(m => m.ApiVersion.StartsWith("dapr.io/", StringComparison.Ordinal) && ScopedKinds.Contains(m.Kind)))
        {
            var scopes = resource.Body["scopes"]?.AsArray() ?? [];
            for (var i = 0; i < scopes.Count; i++)
            {
                if (Manifest.Text(scopes[i]) is { } appId && !sidecarAppIds.Contains(appId))
                {
                    yield return new Finding(resource.Id, $"scopes[{i}]", $"app id '{appId}' is no pod with a Dapr sidecar in this render");
                }
            }
        }
    }
}

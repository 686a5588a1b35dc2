using Json.Schema;
using Serverless.Testing.Manifests;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>
/// The upstream schema of every kind we render (shared/schemas: KEDA v2.20.2 and Dapr v1.18.3 CRDs, Kubernetes
/// v1.32 JSON schemas). A kind without a schema here is a finding: nothing is deployed unvalidated.
/// </summary>
public sealed class SchemaCatalog
{
    private readonly Dictionary<(string ApiVersion, string Kind), Lazy<JsonSchema>> schemas;

    public SchemaCatalog(string directory)
    {
        Lazy<JsonSchema> Crd(string file, string version) => new(() => ManifestSchemas.FromCrd(Path.Combine(directory, file), version));
        Lazy<JsonSchema> Kubernetes(string file) => new(() => ManifestSchemas.FromJsonSchemaFile(Path.Combine(directory, "kubernetes", file)));
        schemas = new()
        {
            [("keda.sh/v1alpha1", "ScaledObject")] = Crd("keda.sh_scaledobjects.yaml", "v1alpha1"),
            [("keda.sh/v1alpha1", "TriggerAuthentication")] = Crd("keda.sh_triggerauthentications.yaml", "v1alpha1"),
            [("dapr.io/v1alpha1", "Component")] = Crd("components.yaml", "v1alpha1"),
            [("dapr.io/v2alpha1", "Subscription")] = Crd("subscription.yaml", "v2alpha1"),
            [("dapr.io/v1alpha1", "Resiliency")] = Crd("resiliency.yaml", "v1alpha1"),
            [("dapr.io/v1alpha1", "Configuration")] = Crd("configuration.yaml", "v1alpha1"),
            [("apps/v1", "Deployment")] = Kubernetes("deployment-apps-v1.json"),
            [("v1", "Service")] = Kubernetes("service-v1.json"),
            [("v1", "ConfigMap")] = Kubernetes("configmap-v1.json"),
            [("v1", "Secret")] = Kubernetes("secret-v1.json"),
            [("v1", "ServiceAccount")] = Kubernetes("serviceaccount-v1.json"),
            [("networking.k8s.io/v1", "NetworkPolicy")] = Kubernetes("networkpolicy-networking-v1.json"),
            [("policy/v1", "PodDisruptionBudget")] = Kubernetes("poddisruptionbudget-policy-v1.json"),
            [("autoscaling/v2", "HorizontalPodAutoscaler")] = Kubernetes("horizontalpodautoscaler-autoscaling-v2.json"),
        };
    }

    public IEnumerable<Finding> Validate(ManifestSet manifests)
    {
        foreach (var manifest in manifests.All)
        {
            if (!schemas.TryGetValue((manifest.ApiVersion, manifest.Kind), out var schema))
            {
                yield return new Finding(manifest.Id, "apiVersion", $"no upstream schema for {manifest.ApiVersion} {manifest.Kind} in shared/schemas");
                continue;
            }

            foreach (var error in ManifestSchemas.Errors(schema.Value, manifest.Body))
            {
                var colon = error.IndexOf(": ", StringComparison.Ordinal);
                var message = error[(colon + 2)..];
                yield return new Finding(manifest.Id, error[..colon], message.Contains("false schema", StringComparison.Ordinal)
                    ? "schema: unknown field (the API server would drop it silently)"
                    : "schema: " + message);
            }
        }
    }
}

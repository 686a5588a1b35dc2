using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Serverless.Cli.Tests.Support;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Rendering;

namespace Serverless.Cli.Tests.Rendering;

/// <summary>
/// Rendered manifests against KEDA's CRDs (v2.20.2). Kubernetes prunes unknown fields silently, so the
/// schema is closed here (no additional properties where the CRD lists properties): a misspelt field fails.
/// </summary>
public sealed class CrdSchemaTests
{
    [Fact]
    public void Render_CheckedInPolicy_EveryDocumentValidatesAgainstItsCrd()
    {
        var schemas = Schemas();
        var policy = PolicyText.Valid(PolicyText.CheckedIn);

        foreach (var environment in policy.Environments)
        {
            // Kustomizations and the push-activation patches (partial documents) are validated after kustomize
            // merged them, in tests/Serverless.Manifests.Tests.
            foreach (var file in KedaManifestRenderer.Render(environment, "scalers.yaml")
                         .Where(f => Path.GetFileName(f.RelativePath) != KedaManifestRenderer.KustomizationFile
                                     && !f.RelativePath.StartsWith(KedaManifestRenderer.PushActivationDirectory + "/", StringComparison.Ordinal)))
            {
                var document = YamlJson.Convert(file.Content)!;
                var kind = document["kind"]!.GetValue<string>();
                AssertValid(schemas[kind], document, $"{environment.Name}/{file.RelativePath}");
                if (kind == "ScaledObject")
                {
                    // The CRD's CEL rule (not evaluated by JSON schema): minReplicaCount ≤ maxReplicaCount.
                    Assert.True(document["spec"]!["minReplicaCount"]!.GetValue<long>() <= document["spec"]!["maxReplicaCount"]!.GetValue<long>());
                }
            }
        }
    }

    [Fact]
    public void Render_EveryOptionalField_StillValidates()
    {
        var schemas = Schemas();
        var environment = PolicyText.Valid(PolicyText.CheckedIn).Find("prod")!;
        var queue = environment.FindQueue("payments")! with
        {
            Scaling = environment.FindQueue("payments")!.Scaling with
            {
                UseCachedMetrics = true,
                Fallback = new FallbackSettings(2, 3, FallbackBehavior.CurrentReplicasIfHigher),
                Behavior = new HpaBehavior(
                    new HpaScalingRules(30, SelectPolicy.Min, [new(ScalingPolicyType.Pods, 2, 30)], 0.05),
                    new HpaScalingRules(Tolerance: 0.2)),
            },
        };
        var withApiKey = environment with { Temporal = environment.Temporal! with { ApiKeySecret = new SecretReference("temporal-cloud", "api-key") } };

        AssertValid(schemas["ScaledObject"], YamlJson.Convert(YamlWriter.Write(KedaManifestRenderer.ScaledObject(withApiKey, queue)))!, "payments with every option");
        var authentication = KedaManifestRenderer.Render(withApiKey, "scalers.yaml").Single(f => f.RelativePath.Contains("temporal", StringComparison.Ordinal));
        AssertValid(schemas["TriggerAuthentication"], YamlJson.Convert(authentication.Content)!, authentication.RelativePath);
    }

    [Fact]
    public void Schema_MisspeltField_IsRejected()
    {
        var schemas = Schemas();
        var environment = PolicyText.Valid(PolicyText.CheckedIn).Find("prod")!;
        var document = YamlJson.Convert(YamlWriter.Write(KedaManifestRenderer.ScaledObject(environment, environment.Queues[0])))!;
        document["spec"]!.AsObject().Add("maxReplicas", 3);

        Assert.False(Evaluate(schemas["ScaledObject"], document).IsValid);
    }

    private static void AssertValid(JsonSchema schema, JsonNode document, string name)
    {
        var result = Evaluate(schema, document);
        Assert.True(result.IsValid, $"{name} does not match the CRD: " + string.Join("; ", Errors(result)));
    }

    private static EvaluationResults Evaluate(JsonSchema schema, JsonNode document)
    {
        using var json = JsonDocument.Parse(document.ToJsonString());
        return schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static IEnumerable<string> Errors(EvaluationResults result) =>
        (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));

    private static Dictionary<string, JsonSchema> Schemas()
    {
        var directory = RepositoryLayout.RequireSchemas();
        return new Dictionary<string, JsonSchema>(StringComparer.Ordinal)
        {
            ["ScaledObject"] = Load(Path.Combine(directory, "keda.sh_scaledobjects.yaml")),
            ["TriggerAuthentication"] = Load(Path.Combine(directory, "keda.sh_triggerauthentications.yaml")),
        };
    }

    private static JsonSchema Load(string crdPath)
    {
        var crd = YamlJson.Convert(File.ReadAllText(crdPath))!;
        var schema = crd["spec"]!["versions"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "v1alpha1")!["schema"]!["openAPIV3Schema"]!.DeepClone();
        Close(schema);
        return JsonSchema.FromText(schema.ToJsonString());
    }

    /// <summary>
    /// Structural schemas prune unknown fields; closing them turns a silent prune into a failure. Kubernetes'
    /// own keywords (x-kubernetes-*: list types, CEL rules) mean nothing to a JSON-schema evaluator and go.
    /// </summary>
    private static void Close(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.ContainsKey("properties") && !obj.ContainsKey("additionalProperties") && !obj.ContainsKey("x-kubernetes-preserve-unknown-fields"))
                {
                    obj["additionalProperties"] = false;
                }

                foreach (var keyword in obj.Select(p => p.Key).Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal)).ToList())
                {
                    obj.Remove(keyword);
                }

                foreach (var child in obj.Select(p => p.Value).ToList())
                {
                    Close(child);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Close(item);
                }

                break;
        }
    }
}

using System.Text.Json.Nodes;
using Json.Schema;
using Serverless.Cli.Tests.Support;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Rendering;
using Serverless.Testing.Manifests;

namespace Serverless.Cli.Tests.Rendering;

/// <summary>
/// Rendered manifests against KEDA's CRDs (v2.20.2), closed so that a misspelt field fails (ManifestSchemas).
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
        // On the backlog signal: the built-in temporal trigger is the one that takes a TriggerAuthentication.
        var environment = PolicyText.Valid(PolicyText.Backlog).Find("prod")!;
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

        Assert.NotEmpty(ManifestSchemas.Errors(schemas["ScaledObject"], document));
    }

    private static void AssertValid(JsonSchema schema, JsonNode document, string name)
    {
        var errors = ManifestSchemas.Errors(schema, document);
        Assert.True(errors.Count == 0, $"{name} does not match the CRD: " + string.Join("; ", errors));
    }

    private static Dictionary<string, JsonSchema> Schemas()
    {
        var directory = RepositoryLayout.RequireSchemas();
        return new Dictionary<string, JsonSchema>(StringComparer.Ordinal)
        {
            ["ScaledObject"] = ManifestSchemas.FromCrd(Path.Combine(directory, "keda.sh_scaledobjects.yaml"), "v1alpha1"),
            ["TriggerAuthentication"] = ManifestSchemas.FromCrd(Path.Combine(directory, "keda.sh_triggerauthentications.yaml"), "v1alpha1"),
        };
    }
}

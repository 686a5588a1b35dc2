using System.Text.Json.Nodes;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Rendering;
using Serverless.Testing.Manifests;
using Serverless.Testing.Policy;

namespace Serverless.Scaling.Tests.Rendering;

/// <summary>
/// Rendered manifests against KEDA's schemas (@kubernetes-models/keda), closed so that a misspelt field fails (ManifestValidator).
/// </summary>
public sealed class CrdSchemaTests
{
    [Fact]
    public async Task Render_CheckedInPolicy_EveryDocumentValidatesAgainstItsCrd()
    {
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
                await AssertValidAsync(document, $"{environment.Name}/{file.RelativePath}");
                if (kind == "ScaledObject")
                {
                    // The CRD's CEL rule (not evaluated by JSON schema): minReplicaCount ≤ maxReplicaCount.
                    Assert.True(document["spec"]!["minReplicaCount"]!.GetValue<long>() <= document["spec"]!["maxReplicaCount"]!.GetValue<long>());
                }
            }
        }
    }

    [Fact]
    public async Task Render_EveryOptionalField_StillValidates()
    {
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

        await AssertValidAsync(YamlJson.Convert(YamlWriter.Write(KedaManifestRenderer.ScaledObject(withApiKey, queue)))!, "payments with every option");
        var authentication = KedaManifestRenderer.Render(withApiKey, "scalers.yaml").Single(f => f.RelativePath.Contains("temporal", StringComparison.Ordinal));
        await AssertValidAsync(YamlJson.Convert(authentication.Content)!, authentication.RelativePath);
    }

    [Fact]
    public async Task Schema_MisspeltField_IsRejected()
    {
        var environment = PolicyText.Valid(PolicyText.CheckedIn).Find("prod")!;
        var document = YamlJson.Convert(YamlWriter.Write(KedaManifestRenderer.ScaledObject(environment, environment.Queues[0])))!;
        document["spec"]!.AsObject().Add("maxReplicas", 3);

        var errors = (await ManifestValidator.ValidateAsync([document], TestContext.Current.CancellationToken))[0];

        Assert.Contains(new SchemaError("/spec/maxReplicas", SchemaError.UnknownField), errors);
    }

    private static async Task AssertValidAsync(JsonNode document, string name)
    {
        var errors = (await ManifestValidator.ValidateAsync([document], TestContext.Current.CancellationToken))[0];
        Assert.True(errors.Count == 0, $"{name} does not match the CRD: " + string.Join("; ", errors));
    }
}

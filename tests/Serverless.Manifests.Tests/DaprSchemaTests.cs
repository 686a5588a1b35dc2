using Serverless.Manifests.Tests.Checking;
using Serverless.Manifests.Tests.Support;

namespace Serverless.Manifests.Tests;

/// <summary>The repository's Dapr schema (tests/Serverless.Testing/Manifests/dapr.schema.json) rejects what Dapr would misread.</summary>
public sealed class DaprSchemaTests
{
    private static async Task<List<Finding>> ValidateAsync(Action<ManifestSet> mistake)
    {
        var manifests = ManifestSet.Parse(await Kustomize.BuildAsync(Repository.Overlay("prod"), TestContext.Current.CancellationToken));
        mistake(manifests);
        return [.. await SchemaCatalog.ValidateAsync(manifests, TestContext.Current.CancellationToken)];
    }

    [Fact]
    public async Task Validate_ResiliencyWithUnknownPolicyAndProseDuration_NamesBoth()
    {
        var findings = await ValidateAsync(m =>
        {
            var policies = m.Find("Resiliency", "serverless")!.At("spec.policies")!;
            policies["retries"]!["state"]!["policy"] = "exponentail";
            policies["timeouts"]!["state"] = "5 seconds";
        });

        Assert.Contains(findings, f => f.Document == "Resiliency/serverless" && f.Field == "/spec/policies/retries/state/policy");
        Assert.Contains(findings, f => f.Document == "Resiliency/serverless" && f.Field == "/spec/policies/timeouts/state");
        Assert.All(findings, f => Assert.Equal("Resiliency/serverless", f.Document));
    }

    [Fact]
    public async Task Validate_ComponentEntryWithValueAndSecretAndMisspeltConfigurationField_NamesEach()
    {
        var findings = await ValidateAsync(m =>
        {
            var entries = m.Find("Component", "pubsub")!.At("spec.metadata")!.AsArray();
            entries.Single(e => e!["name"]!.GetValue<string>() == "redisHost")!["value"] = "redis:6379";
            m.Find("Configuration", "serverless")!.At("spec.tracing")!["samplingrate"] = "1";
            m.Find("Component", "statestore")!.Body["scopes"]!.AsArray().Add("Orders API");
        });

        Assert.Contains(new Finding("Component/pubsub", "/spec/metadata/0/secretKeyRef", "schema: excluded by a field set beside it (dapr.schema.json, dependentSchemas)"), findings);
        Assert.Contains(new Finding("Configuration/serverless", "/spec/tracing/samplingrate", "schema: unknown field (the API server would drop it silently)"), findings);
        Assert.Contains(findings, f => f.Document == "Component/statestore" && f.Field == "/scopes/2");
    }

    [Fact]
    public async Task Validate_DaprKindWithoutASchema_IsAFinding()
    {
        var findings = await ValidateAsync(m => m.Find("Component", "pubsub")!.Body["apiVersion"] = "dapr.io/v2alpha1");

        Assert.Contains(new Finding("Component/pubsub", "/apiVersion", "schema: no schema for dapr.io/v2alpha1 Component in dapr.schema.json"), findings);
    }
}

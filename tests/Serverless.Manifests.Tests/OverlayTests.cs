using Serverless.Catalog;
using Serverless.Manifests.Tests.Checking;
using Serverless.Manifests.Tests.Support;

namespace Serverless.Manifests.Tests;

/// <summary>keda/overlays/dev and keda/overlays/prod as kubectl renders them, checked offline.</summary>
public sealed class OverlayTests
{
    public static TheoryData<string> Environments => [.. DeployEnvironment.All.Select(e => e.Name)];

    private static async Task<ManifestSet> RenderAsync(string environment) =>
        ManifestSet.Parse(await Kustomize.BuildAsync(Repository.Overlay(environment), TestContext.Current.CancellationToken));

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Kustomize_Overlay_RendersEveryDeployableAndItsScaler(string environment)
    {
        var manifests = await RenderAsync(environment);

        // The pools are the catalogs' entries (CatalogConsistencyTests checks each in detail); the API is the one deployable besides them.
        var catalog = ServiceCatalog.Shipped;
        Assert.Equal(
            catalog.Queues.Select(q => q.Deployment).Concat(catalog.Consumers.Select(c => c.Deployment)).Append("orders-api").Order(StringComparer.Ordinal),
            manifests.OfKind("Deployment").Select(d => d.Name).Where(n => n is not ("simulators" or "serverless-scaler")).Order(StringComparer.Ordinal));
        Assert.Equal(catalog.Queues.Count + catalog.Consumers.Count, manifests.OfKind("ScaledObject").Count());
        Assert.Single(manifests.OfKind("HorizontalPodAutoscaler"));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Kustomize_Overlay_EveryDocumentValidatesAgainstItsSchema(string environment)
    {
        var manifests = await RenderAsync(environment);

        var findings = await SchemaCatalog.ValidateAsync(manifests, TestContext.Current.CancellationToken);

        Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Kustomize_Overlay_PassesEverySemanticCheck(string environment)
    {
        var manifests = await RenderAsync(environment);

        var findings = ManifestChecker.Check(manifests, DeployEnvironment.Named(environment));

        Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
    }

    [Fact]
    public async Task Kustomize_Overlays_DeployThePushScalerForTheWorkSignalAndTheSimulatorsInDevOnly()
    {
        var dev = await RenderAsync("dev");
        var prod = await RenderAsync("prod");

        Assert.NotNull(dev.Find("Deployment", "simulators"));
        Assert.Null(prod.Find("Deployment", "simulators"));
        foreach (var manifests in new[] { dev, prod })
        {
            var trigger = manifests.Find("ScaledObject", "notifications")!.At("spec.triggers")![0]!;
            Assert.Equal(("external-push", "work"), (Manifest.Text(trigger["type"]), Manifest.Text(trigger["metadata"]!["signal"])));
            Assert.NotNull(manifests.Find("Deployment", "serverless-scaler"));
        }

        Assert.Equal("Live", Manifest.Text(prod.All.Single(m => m.Kind == "ConfigMap" && m.Name.StartsWith("integrations", StringComparison.Ordinal)).At("data.Integrations__PaymentGateway__Mode")));
    }

    [Fact]
    public async Task Kustomize_OverlayUnderANamePrefix_RenamesScaleTargetsAndTheCheckFlagsTheUnrenamedScalerAddress()
    {
        // kustomize knows no KEDA kinds: keda/base/kustomizeconfig.yaml declares the references (build-environment.md).
        // scalerAddress is a DNS name inside a string, which no name reference can rewrite: the check must catch it.
        var fixture = Directory.CreateTempSubdirectory("serverless-prefix-");
        try
        {
            File.WriteAllText(Path.Combine(fixture.FullName, "kustomization.yaml"),
                $"namePrefix: blue-\nresources:\n  - {Path.GetRelativePath(fixture.FullName, Repository.Overlay("prod"))}\n");

            var manifests = ManifestSet.Parse(await Kustomize.BuildAsync(fixture.FullName, TestContext.Current.CancellationToken));

            var payments = manifests.Find("ScaledObject", "blue-payments")!;
            Assert.Equal("blue-payments-worker", Manifest.Text(payments.At("spec.scaleTargetRef.name")));
            Assert.NotNull(manifests.Find("Service", "blue-serverless-scaler"));
            var findings = ScalingChecks.Check(manifests).ToList();
            Assert.Equal(manifests.OfKind("ScaledObject").Count(), findings.Count);
            Assert.All(findings, f => Assert.StartsWith("ScaledObject/blue-", f.ToString(), StringComparison.Ordinal));
            Assert.All(findings, f => Assert.Contains("spec.triggers[0].metadata.scalerAddress: 'serverless-scaler.serverless-prod.svc.cluster.local:9090' is not", f.ToString(), StringComparison.Ordinal));
        }
        finally
        {
            fixture.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Check_DevRenderWithOneProdValue_NamesTheDocumentAndField()
    {
        var yaml = await Kustomize.BuildAsync(Repository.Overlay("dev"), TestContext.Current.CancellationToken);
        var mixed = ManifestSet.Parse(yaml.Replace("taskQueue: dev-payments", "taskQueue: prod-payments", StringComparison.Ordinal));

        var findings = ManifestChecker.Check(mixed, DeployEnvironment.Dev).Select(f => f.ToString()).ToList();

        Assert.Contains("ScaledObject/payments: spec.triggers[0].metadata.taskQueue: 'prod-payments' names environment prod in the dev render", findings);
        Assert.Contains(findings, f => f.StartsWith("ScaledObject/payments: spec.triggers[0].metadata.taskQueue: is 'prod-payments' but the Deployment's physical task queue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_ProdRenderWithOneConsumerOnAnotherRedisKey_NamesItsConnectionAndTrigger()
    {
        var manifests = await RenderAsync("prod");
        var env = manifests.Find("Deployment", "notifications-consumer")!.At("spec.template.spec.containers")![0]!["env"]!.AsArray();
        env.Single(e => Manifest.Text(e?["name"]) == "REDIS_ADDRESS")!["valueFrom"]!["secretKeyRef"]!["key"] = "address";

        var findings = ManifestChecker.Check(manifests, DeployEnvironment.Prod).Select(f => f.ToString());

        Assert.Equal(
        [
            "Deployment/notifications-consumer: spec.template.spec.containers[0].env.Redis__Configuration: the Redis host is 'secretKeyRef redis/address': compose it from $(REDIS_ADDRESS) set from secretKeyRef redis/host, the key the Dapr components and KEDA read",
            "ScaledObject/notifications: spec.triggers[0].metadata.stream: is 'secretKeyRef redis/host/0' but the push scaler's Scaler__Redis (Deployment/serverless-scaler) pointing at the consumer's Redis database is 'secretKeyRef redis/address/0'",
        ], findings.Order(StringComparer.Ordinal));
    }
}

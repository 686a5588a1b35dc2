using Serverless.Catalog;
using Serverless.Manifests.Tests.Checking;
using Serverless.Manifests.Tests.Support;
using Serverless.Scaling.Lint;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Rendering;
using Serverless.Testing.Policy;

namespace Serverless.Manifests.Tests;

/// <summary>
/// keda/scalers.yaml, the catalogs (workers/libraries/Serverless.Catalog) and the manifests under keda/ say the
/// same thing about every queue: each failure names the queue and the file to fix. The hostile cases show
/// that each check catches a disagreement.
/// </summary>
public sealed class CatalogConsistencyTests
{
    private const string PolicyFile = "keda/scalers.yaml";

    public static TheoryData<string> Environments => [.. DeployEnvironment.All.Select(e => e.Name)];

    /// <summary>A queue the catalogs do not have, written as it would be added under <c>queues:</c>.</summary>
    private const string Billing = """
          billing:
            kind: temporal
            deployment: billing-worker
            taskQueue: billing
            queueTypes: [activity]
            targetPerReplica: 20
            maxReplicas: 2
            workload: {itemsPerOrder: 1, serviceRatePerReplica: 25, concurrencyPerReplica: 20, startupSeconds: 20, longestTaskSeconds: 15}
            slo: {queueWaitSeconds: 30}

        """;

    /// <summary>An activity queue only these tests have: in the catalog under test, in no policy and no render.</summary>
    private static readonly ActivityQueue Undeployed = new("hostile", "hostile-worker", TaskTypes.Activity, 20);

    private static ScalerPolicy Policy(string yaml)
    {
        var loaded = PolicyLoader.Parse(yaml, PolicyFile);
        Assert.False(loaded.HasErrors, string.Join(Environment.NewLine, loaded.Diagnostics));
        return loaded.Policy!;
    }

    private static List<string> Findings(string yaml, ServiceCatalog catalog) =>
        [.. CatalogChecks.Check(Policy(yaml), catalog).Select(d => d.ToString())];

    private static async Task<ManifestSet> RenderAsync(string environment) =>
        ManifestSet.Parse(await Kustomize.BuildAsync(Repository.Overlay(environment), TestContext.Current.CancellationToken));

    [Fact]
    public void Catalogs_SourceFiles_AreWhereFindingsSendYou()
    {
        Assert.True(File.Exists(Path.Combine(Repository.Root, ActivityQueues.SourceFile)), ActivityQueues.SourceFile);
        Assert.True(File.Exists(Path.Combine(Repository.Root, StreamConsumers.SourceFile)), StreamConsumers.SourceFile);
    }

    [Fact]
    public void Policy_ScalesExactlyTheCatalogEntries()
    {
        var findings = Findings(PolicyText.CheckedIn, ServiceCatalog.Shipped);

        Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
    }

    [Fact]
    public void Render_OfThePolicyAndTheCatalogs_IsWhatIsCommitted()
    {
        var policy = Policy(PolicyText.CheckedIn);
        var rendered = policy.Environments.ToDictionary(e => e.Name, e => KedaManifestRenderer.Render(e, Path.GetFileName(PolicyFile), ServiceCatalog.Shipped), StringComparer.Ordinal);

        var changes = ManifestSync.Plan(RepositoryLayout.RenderedRoot, rendered);

        Assert.True(changes.Count == 0, string.Join(Environment.NewLine, changes.Select(c =>
            $"{Path.GetRelativePath(Repository.Root, c.Path)} is {c.Kind switch { ManifestChangeKind.Create => "missing", ManifestChangeKind.Update => "out of date", _ => "stale" }}: "
            + $"{PolicyFile} or the catalogs changed since the last render; run 'dotnet run --project tools/Serverless.Cli -- scalers render'")));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task Overlay_DeploysEveryCatalogEntryAsItSays(string environment)
    {
        var findings = CatalogDeploymentChecks.Check(await RenderAsync(environment), ServiceCatalog.Shipped).ToList();

        Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
    }

    [Fact]
    public void Check_PolicyQueueTheCatalogLacks_NamesTheQueueAndTheCatalogFile()
    {
        var yaml = PolicyText.Replace("\n  notifications:\n", "\n" + Billing + "\n  notifications:\n");

        var finding = Assert.Single(Findings(yaml, ServiceCatalog.Shipped));

        Assert.Contains("error queue-not-in-catalog queues.billing: queue 'billing' has no entry in the activity-queue catalog (workers/libraries/Serverless.Catalog/ActivityQueues.cs)", finding, StringComparison.Ordinal);
        Assert.StartsWith($"{PolicyFile}:{PolicyText.LineOf(yaml, "    kind: temporal\n    deployment: billing-worker")}:5:", finding, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CatalogEntryThePolicyLacks_NamesTheQueueAndThePolicyFile()
    {
        var catalog = ServiceCatalog.Shipped with { Queues = [.. ActivityQueues.All, Undeployed] };

        var finding = Assert.Single(Findings(PolicyText.CheckedIn, catalog));

        Assert.Contains("error catalog-queue-not-in-policy queues.hostile: the activity-queue catalog (workers/libraries/Serverless.Catalog/ActivityQueues.cs) deploys queue 'hostile', keda/scalers.yaml has no queue for it", finding, StringComparison.Ordinal);
        Assert.Contains("fix: add queues.hostile (kind: temporal, deployment: hostile-worker, taskQueue: hostile) to keda/scalers.yaml", finding, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PolicyAndCatalogOnDifferentGroupsAndSlots_NamesTheQueueFieldAndBothFiles()
    {
        var yaml = PolicyText.Replace(PolicyText.Replace("    consumerGroup: order-projection ", "    consumerGroup: projection       "),
            "    targetPerReplica: 20                # one replica's activity slots", "    targetPerReplica: 25");

        var findings = Findings(yaml, ServiceCatalog.Shipped);

        Assert.Contains(findings, f => f.Contains("error catalog-mismatch queues.order-projection.consumerGroup [dev]: queue 'order-projection' has consumerGroup 'projection', the stream-consumer catalog (workers/libraries/Serverless.Catalog/StreamConsumers.cs) has 'order-projection'", StringComparison.Ordinal)
            && f.Contains("fix: make keda/scalers.yaml and the catalog agree on the consumerGroup of 'order-projection'", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Contains("error catalog-mismatch queues.payments.targetPerReplica [prod]: queue 'payments' has targetPerReplica '25', the activity-queue catalog (workers/libraries/Serverless.Catalog/ActivityQueues.cs) as one replica's slots (Workers:Queues:payments:MaxConcurrentActivities) has '20'", StringComparison.Ordinal));
        Assert.Equal(4, findings.Count);
    }

    [Fact]
    public async Task Check_RenderDisagreeingWithTheCatalogs_NamesTheQueueAndTheFileToFix()
    {
        var manifests = await RenderAsync("dev");
        Env(manifests, "payments-worker").Single(e => Manifest.Text(e?["name"]) == "Workers__Poll")!["value"] = "inventory";
        Env(manifests, "workflow-worker").Single(e => Manifest.Text(e?["name"]) == "Workers__Queues__orders__MaxConcurrentWorkflowTasks")!["value"] = "40";
        var catalog = ServiceCatalog.Shipped with { Queues = [.. ActivityQueues.All, Undeployed] };

        var findings = CatalogDeploymentChecks.Check(manifests, catalog).Select(f => f.ToString()).ToList();

        Assert.Equal(
        [
            "Deployment/hostile-worker: metadata.name: queue 'hostile': workers/libraries/Serverless.Catalog/ActivityQueues.cs deploys it as Deployment hostile-worker, which is not in the render: fix workers/libraries/Serverless.Catalog/ActivityQueues.cs and run 'dotnet run --project tools/Serverless.Cli -- scalers render' (the Deployment is rendered from the entry)",
            "Deployment/payments-worker: spec.template.spec.containers[0].env.Workers__Poll: queue 'payments': is 'inventory', workers/libraries/Serverless.Catalog/ActivityQueues.cs says 'payments': fix workers/libraries/Serverless.Catalog/ActivityQueues.cs and run 'dotnet run --project tools/Serverless.Cli -- scalers render' (the Deployment is rendered from the entry)",
            "Deployment/workflow-worker: spec.template.spec.containers[0].env.Workers__Queues__orders__MaxConcurrentWorkflowTasks: queue 'orders': is '40', workers/libraries/Serverless.Catalog/ActivityQueues.cs says '50': fix keda/base/apps/workflow-worker.yaml (written by hand) or workers/libraries/Serverless.Catalog/ActivityQueues.cs",
            "ScaledObject/hostile: metadata.name: queue 'hostile' of workers/libraries/Serverless.Catalog/ActivityQueues.cs has no ScaledObject, so its Deployment is never scaled: add queues.hostile to keda/scalers.yaml and run 'dotnet run --project tools/Serverless.Cli -- scalers render'",
        ],
            findings.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Check_RenderWithAQueueTheCatalogsLack_NamesItsDeploymentAndScaledObject()
    {
        var manifests = await RenderAsync("prod");
        var catalog = ServiceCatalog.Shipped with { Consumers = [.. StreamConsumers.All.Where(c => c != StreamConsumers.Notifications)] };

        var findings = CatalogDeploymentChecks.Check(manifests, catalog).Select(f => f.ToString()).ToList();

        Assert.Equal(
        [
            "Deployment/notifications-consumer: spec.template.spec.containers[0].env.Consumer__Handler: serves 'notifications' but is no catalog entry's Deployment, so nothing scales it as a queue: add its queue to workers/libraries/Serverless.Catalog/ActivityQueues.cs or workers/libraries/Serverless.Catalog/StreamConsumers.cs, or remove the Deployment",
            "ScaledObject/notifications: metadata.name: queue 'notifications' is scaled, but no catalog entry has it, so no Deployment is configured to serve it: add it to workers/libraries/Serverless.Catalog/ActivityQueues.cs or workers/libraries/Serverless.Catalog/StreamConsumers.cs, or remove queues.notifications from keda/scalers.yaml and run 'dotnet run --project tools/Serverless.Cli -- scalers render'",
        ],
            findings.Order(StringComparer.Ordinal));
    }

    private static System.Text.Json.Nodes.JsonArray Env(ManifestSet manifests, string deployment) =>
        manifests.Find("Deployment", deployment)!.At("spec.template.spec.containers")![0]!["env"]!.AsArray();
}

using Serverless.Catalog;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>
/// A render against the catalogs (workers/libraries/Serverless.Catalog): every entry's Deployment is there,
/// runs with the entry's settings and is what the ScaledObject of the entry's queue scales; every Deployment
/// that polls a task queue or runs a stream handler, and every ScaledObject, is an entry's. Each finding names
/// the queue and the file to fix: the catalog, the policy, or the hand-written Deployment.
/// </summary>
public static class CatalogDeploymentChecks
{
    private const string Policy = "keda/scalers.yaml";

    private const string Render = "run 'dotnet run --project tools/Serverless.Cli -- scalers render'";

    /// <summary>The container variables that say what a Deployment serves: a task queue, or a stream handler.</summary>
    private static readonly string[] Serves = ["Workers__Poll", "Consumer__Handler"];

    private sealed record Entry(string Queue, string Deployment, IReadOnlyList<Setting> Settings, string File, bool HandWritten)
    {
        /// <summary>Where a Deployment that disagrees with the entry is fixed.</summary>
        public string DeploymentFix => HandWritten
            ? $"fix keda/base/apps/{Deployment}.yaml (written by hand) or {File}"
            : $"fix {File} and {Render} (the Deployment is rendered from the entry)";
    }

    public static IEnumerable<Finding> Check(ManifestSet manifests, ServiceCatalog catalog)
    {
        var entries = catalog.Queues.Select(q => new Entry(q.Name, q.Deployment, q.Settings, ActivityQueues.SourceFile, q.HandWrittenDeployment))
            .Concat(catalog.Consumers.Select(c => new Entry(c.Name, c.Deployment, c.Settings, StreamConsumers.SourceFile, HandWritten: false)))
            .ToList();
        foreach (var entry in entries)
        {
            foreach (var finding in Deployed(manifests, entry).Concat(Scaled(manifests, entry)))
            {
                yield return finding;
            }
        }

        foreach (var deployment in manifests.OfKind("Deployment").Where(d => !entries.Exists(e => e.Deployment == d.Name)))
        {
            var environment = new ContainerEnvironment(manifests, deployment.At("spec.template.spec.containers")![0]!);
            foreach (var serves in Serves.Where(environment.Has))
            {
                yield return new Finding(deployment.Id, $"spec.template.spec.containers[0].env.{serves}",
                    $"serves '{environment[serves]}' but is no catalog entry's Deployment, so nothing scales it as a queue: add its queue to {ActivityQueues.SourceFile} or {StreamConsumers.SourceFile}, or remove the Deployment");
            }
        }

        foreach (var scaler in manifests.OfKind("ScaledObject").Where(s => !entries.Exists(e => e.Queue == s.Name)))
        {
            yield return new Finding(scaler.Id, "metadata.name",
                $"queue '{scaler.Name}' is scaled, but no catalog entry has it, so no Deployment is configured to serve it: add it to {ActivityQueues.SourceFile} or {StreamConsumers.SourceFile}, or remove queues.{scaler.Name} from {Policy} and {Render}");
        }
    }

    private static IEnumerable<Finding> Deployed(ManifestSet manifests, Entry entry)
    {
        if (manifests.Find("Deployment", entry.Deployment) is not { } deployment)
        {
            yield return new Finding($"Deployment/{entry.Deployment}", "metadata.name",
                $"queue '{entry.Queue}': {entry.File} deploys it as Deployment {entry.Deployment}, which is not in the render: {entry.DeploymentFix}");
            yield break;
        }

        var environment = new ContainerEnvironment(manifests, deployment.At("spec.template.spec.containers")![0]!);
        foreach (var setting in entry.Settings.Where(s => environment[s.EnvironmentVariable] != s.Value))
        {
            yield return new Finding(deployment.Id, $"spec.template.spec.containers[0].env.{setting.EnvironmentVariable}",
                $"queue '{entry.Queue}': is '{environment[setting.EnvironmentVariable] ?? "unset"}', {entry.File} says '{setting.Value}': {entry.DeploymentFix}");
        }
    }

    private static IEnumerable<Finding> Scaled(ManifestSet manifests, Entry entry)
    {
        if (manifests.Find("ScaledObject", entry.Queue) is not { } scaler)
        {
            yield return new Finding($"ScaledObject/{entry.Queue}", "metadata.name",
                $"queue '{entry.Queue}' of {entry.File} has no ScaledObject, so its Deployment is never scaled: add queues.{entry.Queue} to {Policy} and {Render}");
        }
        else if (Manifest.Text(scaler.At("spec.scaleTargetRef.name")) is var target && target != entry.Deployment)
        {
            yield return new Finding(scaler.Id, "spec.scaleTargetRef.name",
                $"queue '{entry.Queue}': scales '{target}', {entry.File} deploys it as '{entry.Deployment}': make queues.{entry.Queue}.deployment of {Policy} agree and {Render}");
        }
    }
}

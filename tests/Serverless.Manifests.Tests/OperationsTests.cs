using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Manifests.Tests.Checking;
using Serverless.Manifests.Tests.Support;
using Serverless.Testing.Manifests;

namespace Serverless.Manifests.Tests;

/// <summary>Alerts, the Helm values of Temporal and Redis, and the Dockerfiles of the deployed images.</summary>
public sealed partial class OperationsTests
{
    private static readonly string[] Severities = ["warning", "critical"];

    /// <summary>
    /// The Dockerfiles of the images the overlays deploy. functions/Serverless.Functions/Dockerfile (the Azure
    /// Functions host image) is not deployed by keda/: the self-host serves the functions in the cluster.
    /// </summary>
    private static readonly string[] DeployedDockerfiles = ["workers/Dockerfile", "functions/Serverless.Functions.SelfHost/Dockerfile"];

    private static JsonNode Values(string component) =>
        YamlJson.Convert(File.ReadAllText(Path.Combine(Repository.Root, "keda", "platform", component, "values.yaml")))!;

    [Fact]
    public async Task Kustomize_Monitoring_EveryRuleIsCompleteAndTheIssuesAlertsExist()
    {
        // PrometheusRule (prometheus-operator) is in neither schema package: its shape is checked here.
        var manifests = ManifestSet.Parse(await Kustomize.BuildAsync(Repository.Monitoring, TestContext.Current.CancellationToken));
        var rules = manifests.OfKind("PrometheusRule").SelectMany(r => r.At("spec.groups")!.AsArray()).SelectMany(g => g!["rules"]!.AsArray()).ToList();

        Assert.All(rules, rule =>
        {
            Assert.False(string.IsNullOrWhiteSpace(Manifest.Text(rule!["expr"])), rule!.ToJsonString());
            Assert.Contains(Manifest.Text(Manifest.Path(rule, "labels.severity")), Severities);
            Assert.False(string.IsNullOrWhiteSpace(Manifest.Text(Manifest.Path(rule, "annotations.summary"))), rule.ToJsonString());
        });
        Assert.Equal(
            [
                "ActivityBacklogAboveSlo", "ActivityErrorRateHigh", "ConsumerErrorRateHigh", "DeadLettersWritten", "KEDAScalerFailed",
                "NotificationsBacklogAboveSlo", "OrderWorkflowsFailing", "PodCrashLooping", "PodRestarting", "ProjectionBacklogAboveSlo",
                "RedisMemoryAbove80Percent", "WorkflowTaskBacklogAboveSlo",
            ],
            rules.Select(r => Manifest.Text(r!["alert"])!).Order(StringComparer.Ordinal));
        Assert.Contains("> 0.8", Manifest.Text(rules.Single(r => Manifest.Text(r!["alert"]) == "RedisMemoryAbove80Percent")!["expr"]), StringComparison.Ordinal);
    }

    [Fact]
    public void TemporalValues_PinTheServerAndSizeForTheSpike()
    {
        var values = Values("temporal");

        Assert.Matches(ExactVersion(), Manifest.Text(Manifest.Path(values, "server.image.tag")));
        var store = Manifest.Path(values, "server.config.persistence.datastores.default.sql")!;
        Assert.Equal("postgres12", Manifest.Text(store["pluginName"]));
        Assert.True(store["maxConns"]!.GetValue<long>() >= 100, "the chart's 20 connections run out under a spike");
        Assert.Null(store["password"]);
        Assert.Equal(("2", "4Gi", "4", "8Gi"), (
            Manifest.Text(Manifest.Path(values, "server.history.resources.requests.cpu")),
            Manifest.Text(Manifest.Path(values, "server.history.resources.requests.memory")),
            Manifest.Text(Manifest.Path(values, "server.history.resources.limits.cpu")),
            Manifest.Text(Manifest.Path(values, "server.history.resources.limits.memory"))));
    }

    [Fact]
    public void RedisValues_Pin72NeverEvictAndPersist()
    {
        var values = Values("redis");
        var configuration = Manifest.Text(values["commonConfiguration"])!;

        Assert.StartsWith("7.2.", Manifest.Text(Manifest.Path(values, "image.tag")), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s*maxmemory \d+[kmg]b\s*$", configuration);
        Assert.Matches(@"(?m)^\s*maxmemory-policy noeviction\s*$", configuration);
        Assert.Matches(@"(?m)^\s*appendonly yes\s*$", configuration);
        Assert.Equal("true", Manifest.Text(Manifest.Path(values, "metrics.enabled")));
        Assert.Equal("redis", Manifest.Text(Manifest.Path(values, "auth.existingSecret")));
    }

    /// <summary>Not one standalone pod: replicas with Sentinel failover, behind a Service that follows the primary (the redis Secret's host).</summary>
    [Fact]
    public void RedisValues_ReplicatedWithSentinelFailoverBehindTheMasterService()
    {
        var values = Values("redis");
        var configuration = Manifest.Text(values["commonConfiguration"])!;

        Assert.Equal("replication", Manifest.Text(values["architecture"]));
        Assert.True(Manifest.Path(values, "replica.replicaCount")!.GetValue<long>() >= 3, "a primary and at least two replicas");
        Assert.Equal("true", Manifest.Text(Manifest.Path(values, "sentinel.enabled")));
        var quorum = Manifest.Path(values, "sentinel.quorum")!.GetValue<long>();
        Assert.True(quorum > Manifest.Path(values, "replica.replicaCount")!.GetValue<long>() / 2, "a Sentinel majority decides a failover");
        Assert.Equal("true", Manifest.Text(Manifest.Path(values, "sentinel.masterService.enabled")));
        Assert.Matches(@"(?m)^\s*min-replicas-to-write [1-9]\s*$", configuration);
        Assert.Matches(@"(?m)^\s*min-replicas-max-lag \d+\s*$", configuration);
        Assert.Null(values["master"]);
    }

    [Theory]
    [InlineData("keda/platform/temporal/values.yaml")]
    [InlineData("keda/platform/redis/values.yaml")]
    [InlineData("keda/platform/monitoring/alerts.yaml")]
    public void PlatformFile_NamesPeersByDnsOnly(string file)
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, file));

        Assert.DoesNotMatch(@"\b(\d{1,3}\.){3}\d{1,3}\b", text);
    }

    /// <summary>Every image the overlays deploy is built by a Dockerfile of the repository: multi-stage, pinned bases, non-root.</summary>
    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task Dockerfiles_EveryDeployedImage_IsBuiltMultiStageFromPinnedBasesAsNonRoot(string environment)
    {
        var manifests = ManifestSet.Parse(await Kustomize.BuildAsync(Repository.Overlay(environment), TestContext.Current.CancellationToken));
        var images = manifests.OfKind("Deployment").Select(d => Manifest.Text(d.At("spec.template.spec.containers")![0]!["image"])!).Distinct();
        var dockerfiles = DeployedDockerfiles.ToDictionary(f => f, f => File.ReadAllText(Path.Combine(Repository.Root, f)));

        foreach (var image in images)
        {
            Assert.True(dockerfiles.Values.Any(text => text.Contains($"-t {image} ", StringComparison.Ordinal)), $"no Dockerfile says how {image} is built");
        }

        foreach (var (file, text) in dockerfiles)
        {
            var bases = BaseImageArgument().Matches(text).Select(m => m.Groups[1].Value).ToList();
            Assert.True(Regex.Count(text, "(?m)^FROM ") >= 2, $"{file} is not multi-stage");
            Assert.NotEmpty(bases);
            Assert.All(bases, b => Assert.Matches(@":\d+\.\d+\.\d+$|@sha256:[a-f0-9]{64}$", b));
            Assert.Matches(@"(?m)^USER \$APP_UID\s*$", text);
        }
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex ExactVersion();

    [GeneratedRegex(@"(?m)^ARG \w+_IMAGE=(\S+)$")]
    private static partial Regex BaseImageArgument();
}

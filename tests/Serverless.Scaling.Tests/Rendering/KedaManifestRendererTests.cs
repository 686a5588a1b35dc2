using Serverless.Catalog;
using Serverless.Naming;
using Serverless.Scaling.Policy;
using Serverless.Scaling.Rendering;
using Serverless.Testing.Policy;
using YamlDotNet.RepresentationModel;

namespace Serverless.Scaling.Tests.Rendering;

public sealed class KedaManifestRendererTests
{
    private static readonly ScalerPolicy Policy = PolicyText.Valid(PolicyText.CheckedIn);

    /// <summary>Every queue on KEDA's built-in triggers, dev's consumers on activation: push: the render before issue 10.</summary>
    private static readonly ScalerPolicy BacklogPolicy = PolicyText.Valid(PolicyText.BacklogWithDevPush);

    private static Dictionary<string, IReadOnlyList<RenderedFile>> RenderAll() =>
        Policy.Environments.ToDictionary(e => e.Name, e => KedaManifestRenderer.Render(e, "scalers.yaml"), StringComparer.Ordinal);

    [Fact]
    public void Render_CheckedInPolicy_MatchesTheCheckedInManifests()
    {
        var changes = ManifestSync.Plan(RepositoryLayout.RenderedRoot, RenderAll());

        Assert.True(
            changes.Count == 0,
            "keda/base/scaling disagrees with keda/scalers.yaml; run 'dotnet run --project tools/Serverless.Cli -- scalers render':"
            + Environment.NewLine + string.Join(Environment.NewLine, changes.Select(c => $"{c.Kind}: {c.Path}")));
    }

    [Fact]
    public void Render_SamePolicyTwice_GivesTheSameBytes()
    {
        var first = RenderAll();
        var second = RenderAll();

        foreach (var (environment, files) in first)
        {
            Assert.Equal(files, second[environment]);
        }
    }

    private static bool IsPushPatch(RenderedFile file) =>
        file.RelativePath.StartsWith(KedaManifestRenderer.PushActivationDirectory + "/", StringComparison.Ordinal);

    [Fact]
    public void Render_PushActivation_IsAComponentReplacingTheTriggerWithExternalPush()
    {
        var dev = BacklogPolicy.Find("dev")!;
        var files = KedaManifestRenderer.Render(dev, "scalers.yaml");

        var patch = (YamlMappingNode)Load(files.Single(f => f.RelativePath == "push-activation/notifications.yaml").Content).Documents[0].RootNode;
        var trigger = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)patch["spec"])["triggers"]).Children.Single();
        var metadata = ((YamlMappingNode)trigger["metadata"]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!);
        Assert.Equal("external-push", ((YamlScalarNode)trigger["type"]).Value);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["scalerAddress"] = "serverless-scaler.serverless-dev.svc.cluster.local:9090",
                ["source"] = "redis-streams",
                ["stream"] = "dev-orders",
                ["consumerGroup"] = "notifications",
                ["lagCount"] = "100",
                ["activationLagCount"] = "0",
            },
            metadata);
        Assert.Contains("components:\n  - \"../../../components/push-scaler\"\n  - push-activation\n", files.Single(f => f.RelativePath == KedaManifestRenderer.KustomizationFile).Content, StringComparison.Ordinal);
        Assert.Contains("kind: Component", files.Single(f => f.RelativePath == "push-activation/kustomization.yaml").Content, StringComparison.Ordinal);
        Assert.DoesNotContain(KedaManifestRenderer.Render(BacklogPolicy.Find("prod")!, "scalers.yaml"), IsPushPatch);
    }

    [Fact]
    public void Render_BacklogSignal_KeepsTheBuiltInTriggerByteForByte()
    {
        var prod = BacklogPolicy.Find("prod")!;
        var files = KedaManifestRenderer.Render(prod, "scalers.yaml");

        var notifications = files.Single(f => f.RelativePath == "notifications.yaml").Content;
        var payments = files.Single(f => f.RelativePath == "payments.yaml").Content;

        Assert.EndsWith(
            "  triggers:\n    - type: redis-streams\n      metadata:\n        addressFromEnv: REDIS_ADDRESS\n        stream: prod-orders\n"
            + "        consumerGroup: notifications\n        lagCount: \"100\"\n        activationLagCount: \"0\"\n        databaseIndex: \"0\"\n"
            + "      authenticationRef:\n        name: redis-streams\n",
            notifications, StringComparison.Ordinal);
        Assert.EndsWith(
            "  triggers:\n    - type: temporal\n      metadata:\n        endpointFromEnv: Temporal__Address\n        namespace: prod\n        taskQueue: prod-payments\n"
            + "        queueTypes: activity\n        targetQueueSize: \"20\"\n        activationTargetQueueSize: \"0\"\n"
            + "      authenticationRef:\n        name: temporal\n",
            payments, StringComparison.Ordinal);
        Assert.Contains(files, f => f.RelativePath == "trigger-authentication-redis-streams.yaml");
        // The policy names the Temporal API key the workers mount: built-in temporal triggers authenticate with it.
        Assert.Contains(files, f => f.RelativePath == "trigger-authentication-temporal.yaml");
        Assert.DoesNotContain("components:", files.Single(f => f.RelativePath == KedaManifestRenderer.KustomizationFile).Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WorkSignal_IsTheExternalPushTriggerWithSignalAndWindow()
    {
        var prod = Policy.Find("prod")!;

        var payments = TriggerMetadata(prod, prod.FindQueue("payments")!);
        var notifications = TriggerMetadata(prod, prod.FindQueue("notifications")!);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["scalerAddress"] = "serverless-scaler.serverless-prod.svc.cluster.local:9090",
                ["source"] = "temporal",
                ["namespace"] = "prod",
                ["taskQueue"] = "prod-payments",
                ["queueTypes"] = "activity",
                ["targetQueueSize"] = "20",
                ["activationTargetQueueSize"] = "0",
                ["signal"] = "work",
                ["activationWindowSeconds"] = "120",
            },
            payments);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["scalerAddress"] = "serverless-scaler.serverless-prod.svc.cluster.local:9090",
                ["source"] = "redis-streams",
                ["stream"] = "prod-orders",
                ["consumerGroup"] = "notifications",
                ["lagCount"] = "100",
                ["activationLagCount"] = "0",
                ["signal"] = "work",
                ["activationWindowSeconds"] = "120",
            },
            notifications);
        var trigger = (YamlMappingNode)((YamlSequenceNode)Spec(prod, prod.FindQueue("notifications")!)["triggers"]).Children[0];
        Assert.Equal("external-push", Text(trigger, "type"));
        Assert.False(trigger.Children.ContainsKey("authenticationRef"));
    }

    [Fact]
    public void Render_WorkSignal_IncludesThePushScalerOnceAndNoUnusedAuthentication()
    {
        foreach (var (_, files) in RenderAll())
        {
            var kustomization = files.Single(f => f.RelativePath == KedaManifestRenderer.KustomizationFile).Content;

            Assert.EndsWith("components:\n  - \"../../../components/push-scaler\"\n", kustomization, StringComparison.Ordinal);
            Assert.DoesNotContain(files, IsPushPatch);
            Assert.DoesNotContain(files, f => f.RelativePath.StartsWith("trigger-authentication", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Render_StreamOnWorkWithPendingMetric_TargetsTheLagCountKey()
    {
        var prod = Policy.Find("prod")!;
        var queue = prod.FindQueue("notifications")! with { Source = new RedisStreamSource("{environment}-orders", "notifications", StreamMetric.Pending) };

        var metadata = TriggerMetadata(prod, queue);

        Assert.Equal("100", metadata["lagCount"]);
        Assert.False(metadata.ContainsKey("pendingEntriesCount"));
    }

    [Fact]
    public void Render_EveryQueue_IsOneScaledObjectDocumentPerFile()
    {
        foreach (var (environment, files) in RenderAll())
        {
            var scaledObjects = files.Where(f => f.Content.Contains("kind: ScaledObject", StringComparison.Ordinal) && !IsPushPatch(f)).ToList();
            Assert.Equal(Policy.Find(environment)!.Queues.Select(q => $"{q.Name}.yaml").Order(StringComparer.Ordinal), scaledObjects.Select(f => f.RelativePath));
            Assert.All(files, f => Assert.Single(Load(f.Content).Documents));
        }
    }

    [Fact]
    public void Render_TemporalQueue_UsesThePhysicalTaskQueueNameOfTheWorkers()
    {
        foreach (var environment in Policy.Environments)
        {
            foreach (var queue in environment.Queues.Where(q => q.Source is TemporalQueueSource))
            {
                var metadata = TriggerMetadata(environment, queue);
                Assert.Equal(ResourceNames.For(environment.Name, ((TemporalQueueSource)queue.Source).TaskQueue), metadata["taskQueue"]);
                Assert.Equal(environment.Name, metadata["namespace"]);
            }
        }
    }

    [Fact]
    public void Render_TemporalQueues_AreTheWorkersLogicalQueues()
    {
        var prod = Policy.Find("prod")!;

        Assert.Equal(
            ActivityQueues.All.Select(q => q.Name).Order(StringComparer.Ordinal),
            prod.Queues.Select(q => q.Source).OfType<TemporalQueueSource>().Select(s => s.TaskQueue).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Render_TemporalTrigger_HasTheScalerMetadataAsStrings()
    {
        var prod = BacklogPolicy.Find("prod")!;

        var metadata = TriggerMetadata(prod, prod.FindQueue("payments")!);

        Assert.Equal("activity", metadata["queueTypes"]);
        Assert.Equal("20", metadata["targetQueueSize"]);
        Assert.Equal("0", metadata["activationTargetQueueSize"]);
        Assert.Equal("Temporal__Address", metadata["endpointFromEnv"]);
        Assert.False(metadata.ContainsKey("endpoint"));
    }

    [Fact]
    public void Render_StreamWithLagMetric_SetsLagCountAndTheAuthenticationRef()
    {
        var prod = BacklogPolicy.Find("prod")!;
        var queue = prod.FindQueue("notifications")!;

        var metadata = TriggerMetadata(prod, queue);

        Assert.Equal("100", metadata["lagCount"]);
        Assert.False(metadata.ContainsKey("pendingEntriesCount"));
        Assert.Equal(("prod-orders", "notifications", "0"), (metadata["stream"], metadata["consumerGroup"], metadata["activationLagCount"]));
        var trigger = (YamlMappingNode)((YamlSequenceNode)Spec(prod, queue)["triggers"]).Children[0];
        Assert.Equal("redis-streams", ((YamlScalarNode)((YamlMappingNode)trigger["authenticationRef"])["name"]).Value);
    }

    [Fact]
    public void Render_StreamWithPendingMetric_SetsPendingEntriesCountOnly()
    {
        var prod = BacklogPolicy.Find("prod")!;
        var queue = prod.FindQueue("notifications")! with { Source = new RedisStreamSource("{environment}.orders", "notifications", StreamMetric.Pending) };

        var metadata = TriggerMetadata(prod, queue);

        Assert.Equal("100", metadata["pendingEntriesCount"]);
        Assert.False(metadata.ContainsKey("lagCount"));
        Assert.Equal("prod.orders", metadata["stream"]);
    }

    [Fact]
    public void Render_RedisPassword_ComesFromASecretThroughATriggerAuthentication()
    {
        var file = KedaManifestRenderer.Render(BacklogPolicy.Find("prod")!, "scalers.yaml").Single(f => f.RelativePath == "trigger-authentication-redis-streams.yaml");

        var reference = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)Root(file.Content)["spec"])["secretTargetRef"]).Children.Single();

        Assert.Equal(("password", "redis", "password"), (Text(reference, "parameter"), Text(reference, "name"), Text(reference, "key")));
    }

    [Theory]
    [InlineData("20", "\"20\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("no", "\"no\"")]
    [InlineData("a:b", "\"a:b\"")]
    [InlineData("prod-payments", "prod-payments")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    public void Scalar_StringsThatLookLikeOtherTypes_AreQuoted(string value, string expected)
    {
        Assert.Equal(expected, YamlWriter.Scalar(value));
    }

    private static YamlMappingNode Spec(EnvironmentPolicy environment, QueuePolicy queue) =>
        (YamlMappingNode)Root(YamlWriter.Write(KedaManifestRenderer.ScaledObject(environment, queue)))["spec"];

    private static Dictionary<string, string> TriggerMetadata(EnvironmentPolicy environment, QueuePolicy queue)
    {
        var trigger = (YamlMappingNode)((YamlSequenceNode)Spec(environment, queue)["triggers"]).Children.Single();
        return ((YamlMappingNode)trigger["metadata"]).Children.ToDictionary(
            c => ((YamlScalarNode)c.Key).Value!,
            c => ((YamlScalarNode)c.Value).Value!,
            StringComparer.Ordinal);
    }

    private static string Text(YamlMappingNode map, string key) => ((YamlScalarNode)map[key]).Value!;

    private static YamlMappingNode Root(string yaml) => (YamlMappingNode)Load(yaml).Documents[0].RootNode;

    private static YamlStream Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream;
    }
}

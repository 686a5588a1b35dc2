using System.Text.Json.Nodes;
using Serverless.Manifests.Tests.Checking;
using Serverless.Manifests.Tests.Support;

namespace Serverless.Manifests.Tests;

/// <summary>
/// The overlays as rendered, each with one of the mistakes issue 11 found put back: the checks name it by document
/// and field (the overlays themselves pass every check, OverlayTests).
/// </summary>
public sealed class HardeningTests
{
    private static async Task<ManifestSet> RenderAsync(string environment) =>
        ManifestSet.Parse(await Kustomize.BuildAsync(Repository.Overlay(environment), TestContext.Current.CancellationToken));

    private static List<string> Findings(ManifestSet manifests, string environment) =>
        [.. ManifestChecker.Check(manifests, DeployEnvironment.Named(environment)).Select(f => f.ToString())];

    private static JsonObject Annotations(ManifestSet manifests, string deployment) =>
        (JsonObject)manifests.Find("Deployment", deployment)!.At("spec.template.metadata.annotations")!;

    private static JsonArray Env(ManifestSet manifests, string deployment) =>
        manifests.Find("Deployment", deployment)!.At("spec.template.spec.containers")![0]!["env"]!.AsArray();

    [Fact]
    public async Task Check_SidecarBlockAndGraceBelowPreStopPlusBudget_NamesBoth()
    {
        var manifests = await RenderAsync("prod");
        Annotations(manifests, "orders-api")["dapr.io/block-shutdown-duration"] = "15s";
        manifests.Find("Deployment", "orders-api")!.At("spec.template.spec")!["terminationGracePeriodSeconds"] = 25L;

        var findings = Findings(manifests, "prod");

        Assert.Contains("Deployment/orders-api: spec.template.metadata.annotations.dapr.io/block-shutdown-duration: the sidecar must stay up while the app drains (preStop 5 s + Shutdown__Budget 15 s = 20 s), got 15s", findings);
        Assert.Contains("Deployment/orders-api: spec.template.spec.terminationGracePeriodSeconds: 25 s is below preStop 5 s + Shutdown__Budget 15 s + 10 s = 30 s: the kubelet would kill the drain", findings);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task Check_TemporalTriggerWithoutTheWorkersApiKey_NamesTheTrigger(string environment)
    {
        // As rendered for pools on signal: backlog: KEDA's own temporal triggers, and a TriggerAuthentication
        // that reads another key than the one the workers mount.
        var render = await Kustomize.BuildAsync(Repository.Overlay(environment), TestContext.Current.CancellationToken);
        var manifests = ManifestSet.Parse(render + """

            ---
            apiVersion: keda.sh/v1alpha1
            kind: TriggerAuthentication
            metadata: {name: temporal}
            spec:
              secretTargetRef:
                - {parameter: apiKey, name: temporal, key: other-key}
            """);
        foreach (var pool in new[] { "payments", "inventory" })
        {
            var trigger = manifests.Find("ScaledObject", pool)!.At("spec.triggers")![0]!.AsObject();
            trigger["type"] = "temporal";
            var metadata = trigger["metadata"]!.AsObject();
            foreach (var pushOnly in new[] { "scalerAddress", "source", "signal", "activationWindowSeconds" })
            {
                metadata.Remove(pushOnly);
            }

            metadata["endpointFromEnv"] = "Temporal__Address";
        }

        manifests.Find("ScaledObject", "inventory")!.At("spec.triggers")![0]!["authenticationRef"] = new JsonObject { ["name"] = "temporal" };

        var findings = Findings(manifests, environment);

        Assert.Contains("ScaledObject/payments: spec.triggers[0].authenticationRef: the workers mount Temporal__ApiKey from secretKeyRef temporal/api-key: the trigger needs an authenticationRef to a TriggerAuthentication whose apiKey reads it (none set)", findings);
        Assert.Contains("ScaledObject/inventory: spec.triggers[0].authenticationRef: TriggerAuthentication/temporal gives apiKey from secretKeyRef temporal/other-key, the workers mount Temporal__ApiKey from secretKeyRef temporal/api-key", findings);
    }

    [Fact]
    public async Task Check_PushedTemporalTriggerWhoseScalerLacksTheApiKey_NamesTheScaler()
    {
        var manifests = await RenderAsync("dev");
        var pushed = manifests.Find("ScaledObject", "notifications")!.At("spec.triggers")![0]!["metadata"]!["scalerAddress"]!.GetValue<string>();
        var payments = manifests.Find("ScaledObject", "payments")!.At("spec.triggers")![0]!.AsObject();
        payments["type"] = "external-push";
        payments.Remove("authenticationRef");
        payments["metadata"]!["source"] = "temporal";
        payments["metadata"]!["scalerAddress"] = pushed;
        var scalerEnv = Env(manifests, "serverless-scaler");
        scalerEnv.Remove(scalerEnv.Single(e => e!["name"]!.GetValue<string>() == "Temporal__ApiKey"));

        var findings = Findings(manifests, "dev");

        Assert.Contains("ScaledObject/payments: spec.triggers[0].metadata.scalerAddress: the push scaler (Deployment/serverless-scaler) reads Temporal for this trigger with Temporal__ApiKey from nothing, the workers hold secretKeyRef temporal/api-key", findings);
    }

    [Fact]
    public async Task Check_DaprAppIdWithoutSidecarAndScopesOfNoSidecar_NamesEach()
    {
        var manifests = await RenderAsync("prod");
        Annotations(manifests, "notifications-consumer")["dapr.io/app-id"] = "notifications";
        manifests.Find("Component", "pubsub")!.Body["scopes"]!.AsArray().Add("order-projection");

        var findings = Findings(manifests, "prod");

        Assert.Contains("Deployment/notifications-consumer: spec.template.metadata.annotations.dapr.io/app-id: a Dapr annotation on a pod without a sidecar (dapr.io/enabled is not \"true\"): nothing reads it", findings);
        Assert.Contains("Component/pubsub: scopes[2]: app id 'order-projection' is no pod with a Dapr sidecar in this render", findings);
    }

    [Fact]
    public async Task Check_PushScalerMetricsPortClosedToMonitoring_NamesTheScrapedPort()
    {
        var manifests = await RenderAsync("dev");
        var ingress = manifests.Find("NetworkPolicy", "serverless-scaler")!.At("spec.ingress")!.AsArray();
        ingress.Remove(ingress.Single(r => r!["ports"]![0]!["port"]!.GetValue<long>() == 8083 && r["from"]!.AsArray().Any(p => p!["namespaceSelector"] is not null)));

        var findings = Findings(manifests, "dev");

        Assert.Equal(
            ["Deployment/serverless-scaler: spec.template.metadata.annotations.prometheus.io/port: Prometheus scrapes port 8083, but no NetworkPolicy selecting these pods lets namespace monitoring reach it (default deny)"],
            findings);
    }

    [Theory]
    [InlineData("orders-api")]
    [InlineData("payments-worker")]
    [InlineData("projection-consumer")]
    public async Task Check_DeploymentWithoutTopologySpread_NamesZoneAndNode(string deployment)
    {
        var manifests = await RenderAsync("prod");
        var pod = manifests.Find("Deployment", deployment)!.At("spec.template.spec")!.AsObject();
        pod.Remove("topologySpreadConstraints");

        var findings = Findings(manifests, "prod");

        Assert.Equal(
            [
                $"Deployment/{deployment}: spec.template.spec.topologySpreadConstraints: no spread over topology.kubernetes.io/zone: one zone can hold every replica",
                $"Deployment/{deployment}: spec.template.spec.topologySpreadConstraints: no spread over kubernetes.io/hostname: one node can hold every replica",
            ],
            findings);
    }

    [Fact]
    public async Task Check_ProdPostgresPreferAndRedisTlsDisagreeing_NamesEachClient()
    {
        var manifests = await RenderAsync("prod");
        var connection = Env(manifests, "projection-consumer").Single(e => e!["name"]!.GetValue<string>() == "Postgres__ConnectionString")!;
        connection["value"] = connection["value"]!.GetValue<string>().Replace("$(POSTGRES_SSL_MODE)", "Prefer", StringComparison.Ordinal);
        manifests.All.Single(m => m.Kind == "ConfigMap" && m.Name.StartsWith("serverless-environment", StringComparison.Ordinal)).At("data")!["Redis__Tls"] = "true";
        var statestore = manifests.Find("Component", "statestore")!.At("spec.metadata")!.AsArray();
        statestore.Single(e => e!["name"]!.GetValue<string>() == "enableTLS")!["value"] = "true";
        // As rendered for a queue on signal: backlog: KEDA's own redis-streams trigger, which takes enableTLS from the policy.
        manifests.Find("ScaledObject", "notifications")!.At("spec.triggers")![0]!["type"] = "redis-streams";

        var findings = Findings(manifests, "prod");

        Assert.Contains("Deployment/projection-consumer: spec.template.spec.containers[0].env.Postgres__ConnectionString: SSL Mode is 'Prefer': prod needs Require, VerifyCA or VerifyFull (Prefer falls back to plaintext silently)", findings);
        Assert.Contains("Component/pubsub: spec.metadata.enableTLS: is false, the environment's Redis__Tls is true", findings);
        Assert.Contains("ScaledObject/notifications: spec.triggers[0].metadata.enableTLS: is false, the environment's Redis__Tls is true (scalers.yaml connections.redis.enableTls)", findings);
        // The push scaler serving the work-signal triggers takes ssl=$(Redis__Tls) itself.
        Assert.DoesNotContain(findings, f => f.StartsWith("Deployment/serverless-scaler", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.StartsWith("Component/statestore", StringComparison.Ordinal) || f.Contains("env.Redis__Configuration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_ExternalApisOpenToAnyAddress_NamesTheRule()
    {
        var manifests = await RenderAsync("prod");
        var egress = manifests.Find("NetworkPolicy", "external-api-clients")!.At("spec.egress")![0]!.AsObject();
        egress.Remove("to");

        var findings = Findings(manifests, "prod");

        Assert.Equal(
            ["NetworkPolicy/external-api-clients: spec.egress[0].to: no peers: opens port 443 to any address; name the destinations (ipBlock CIDRs from the overlay's configuration)"],
            findings);
    }

    [Fact]
    public async Task Kustomize_ProdOverlay_OpensExternalApisToTheConfiguredRangesOnly()
    {
        var manifests = await RenderAsync("prod");

        var rule = manifests.Find("NetworkPolicy", "external-api-clients")!.At("spec.egress")!.AsArray().Single()!;

        Assert.Equal(["203.0.113.0/24", "198.51.100.0/24"], rule["to"]!.AsArray().Select(p => Manifest.Text(Manifest.Path(p, "ipBlock.cidr"))!));
        Assert.Equal("443", Manifest.Text(rule["ports"]![0]!["port"]));
        Assert.Equal("Require", Manifest.Text(manifests.All.Single(m => m.Kind == "ConfigMap" && m.Name.StartsWith("serverless-environment", StringComparison.Ordinal)).At("data.POSTGRES_SSL_MODE")));
    }
}

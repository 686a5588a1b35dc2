using Serverless.Manifests.Tests.Checking;
using Serverless.Manifests.Tests.Support;

namespace Serverless.Manifests.Tests;

/// <summary>Fixtures/broken: each mistake is rejected with a message naming the document and the field.</summary>
public sealed class BrokenFixtureTests
{
    private static async Task<ManifestSet> RenderAsync() =>
        ManifestSet.Parse(await Kustomize.BuildAsync(Repository.Fixture("broken"), TestContext.Current.CancellationToken));

    [Fact]
    public async Task Check_BrokenFixture_NamesEveryMistakeByDocumentAndField()
    {
        var findings = ManifestChecker.Check(await RenderAsync(), DeployEnvironment.Dev).Select(f => f.ToString()).ToList();

        string[] expected =
        [
            "ScaledObject/payments: spec.scaleTargetRef.name: Deployment 'payment-worker' is not in the same render",
            "ScaledObject/payments: spec.triggers[0].metadata.activationTargetQueueSize: 20 is not below the target 20",
            "ScaledObject/notifications: spec.triggers[0].metadata.lagCount: must be a positive number written as a string, got \"ten\"",
            "ScaledObject/notifications: spec.triggers[0].metadata.stream: is 'orders' but the Deployment's physical stream (Serverless__Environment-Consumer__Streams) is 'dev-orders'",
            "ScaledObject/notifications: spec.triggers[0].metadata.databaseIndex: is '0', dev's Redis database is 1",
            "Deployment/payments-worker: spec.template.spec.containers[0].resources.limits.memory: every container states its resource requests and limits",
            "Deployment/payments-worker: spec.template.spec.containers[0].readinessProbe: needs an HTTP probe on a health endpoint (/health/live, /health/ready), got none",
            "Deployment/payments-worker: spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: must be true, got unset",
            "Deployment/payments-worker: spec.template.spec.containers[0].image: 'ghcr.io/serverless/workers:latest' is not pinned: use an exact version tag (not latest) or a digest",
            "Deployment/payments-worker: spec.template.spec.terminationGracePeriodSeconds: 20 s is below Shutdown__Budget 30 s + 10 s = 40 s: the kubelet would kill the drain",
            "Deployment/notifications-consumer: spec.template.spec.serviceAccountName: ServiceAccount 'notifications-consumer' is not in the render",
            "ConfigMap/serverless-environment: data.REDIS_PASSWORD: looks like a secret: take it from a Secret (secretKeyRef)",
            "ConfigMap/serverless-environment: data.Temporal__Address: '10.0.0.5:7233' contains an IP address: peers are named by DNS name",
            "ConfigMap/serverless-environment: data.REDIS_ADDRESS: a second copy of the Redis host: it lives in secretKeyRef redis/host only, which apps, sidecars and KEDA read",
            "Deployment/notifications-consumer: spec.template.spec.containers[0].env.Redis__Configuration: the Redis host is 'redis-master.redis.svc.cluster.local:6379': compose it from $(REDIS_ADDRESS) set from secretKeyRef redis/host, the key the Dapr components and KEDA read",
            "ScaledObject/notifications: spec.triggers[0].metadata.addressFromEnv: REDIS_ADDRESS of Deployment/notifications-consumer is 'redis-master.redis.svc.cluster.local:6379': KEDA must read the host from secretKeyRef redis/host, like the apps and the Dapr components",
            "Component/statestore: spec.metadata[0].value: redisHost is written here ('redis-master.redis.svc.cluster.local:6379'): read it from secretKeyRef redis/host, the key the apps and KEDA read",
            "NetworkPolicy/default-deny: spec: no NetworkPolicy denies all ingress and egress by default",
        ];
        Assert.All(expected, e => Assert.Contains(e, findings));
    }

    [Fact]
    public async Task Validate_BrokenFixture_NamesTheMisspeltField()
    {
        var findings = await SchemaCatalog.ValidateAsync(await RenderAsync(), TestContext.Current.CancellationToken);

        Assert.Contains(new Finding("ScaledObject/payments", "/spec/maxReplicas", "schema: unknown field (the API server would drop it silently)"), findings);
        Assert.Contains(new Finding("Component/statestore", "/spec/ignoreError", "schema: unknown field (the API server would drop it silently)"), findings);
        Assert.DoesNotContain(findings, f => f.Document.StartsWith("Deployment/", StringComparison.Ordinal));
    }
}

namespace Serverless.Manifests.Tests.Checking;

/// <summary>Every check of a rendered environment that a schema cannot do.</summary>
public static class ManifestChecker
{
    public static IReadOnlyList<Finding> Check(ManifestSet manifests, DeployEnvironment environment) =>
    [
        .. ScalingChecks.Check(manifests),
        .. WorkloadChecks.Check(manifests),
        .. EnvironmentChecks.Check(manifests, environment),
        .. RedisHostChecks.Check(manifests),
        .. TransportSecurityChecks.Check(manifests, environment),
        .. NetworkChecks.Check(manifests),
        .. DaprChecks.Check(manifests),
    ];
}

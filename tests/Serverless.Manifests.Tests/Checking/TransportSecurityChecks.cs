using System.Data.Common;
using StackExchange.Redis;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>
/// Encryption on the wire. Redis: one setting per environment (<c>Redis__Tls</c> of the serverless-environment
/// ConfigMap) that every Redis client follows: the apps (RedisOptions.Tls, or <c>ssl=</c> in their configuration),
/// the push scaler (<c>ssl=</c> in Scaler__Redis), the Dapr components (<c>enableTLS</c>) and KEDA's redis-streams
/// triggers (<c>enableTLS</c>, platform-semantics §4.1). PostgreSQL: prod never falls back to plaintext
/// (<c>SSL Mode</c> Require, VerifyCA or VerifyFull; Prefer and Allow connect unencrypted when TLS fails).
/// </summary>
public static class TransportSecurityChecks
{
    public const string RedisTlsSetting = "Redis__Tls";

    private static readonly string[] EncryptedPostgresModes = ["REQUIRE", "VERIFYCA", "VERIFY-CA", "VERIFYFULL", "VERIFY-FULL"];

    public static IEnumerable<Finding> Check(ManifestSet manifests, DeployEnvironment environment) =>
        [.. RedisTls(manifests), .. PostgresTls(manifests, environment)];

    private static IEnumerable<Finding> RedisTls(ManifestSet manifests)
    {
        var settings = manifests.All.FirstOrDefault(m => m.Kind == "ConfigMap" && m.Name.StartsWith("serverless-environment", StringComparison.Ordinal));
        var setting = Manifest.Text(settings?.At($"data.{RedisTlsSetting}"));
        if (settings is null || setting is not ("true" or "false"))
        {
            yield return new Finding(settings?.Id ?? "ConfigMap/serverless-environment", $"data.{RedisTlsSetting}", $"states whether every Redis client uses TLS (\"true\" or \"false\"), got '{setting}'");
            yield break;
        }

        var tls = setting == "true";
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var containers = deployment.At("spec.template.spec.containers")?.AsArray() ?? [];
            for (var c = 0; c < containers.Count; c++)
            {
                var environment = new ContainerEnvironment(manifests, containers[c]!);
                foreach (var (name, usesOption) in new[] { ("Redis__Configuration", true), ("Scaler__Redis", false) }.Where(s => environment.Has(s.Item1)))
                {
                    var ssl = Ssl(environment[name]) || (usesOption && environment[RedisTlsSetting] == "true");
                    if (ssl != tls)
                    {
                        yield return new Finding(deployment.Id, $"spec.template.spec.containers[{c}].env.{name}", $"TLS is {Word(ssl)}, the environment's {RedisTlsSetting} is {setting}");
                    }
                }
            }
        }

        foreach (var component in manifests.OfKind("Component").Where(c => Manifest.Text(c.At("spec.type")) is "state.redis" or "pubsub.redis"))
        {
            var entries = component.At("spec.metadata")?.AsArray() ?? [];
            var enableTls = entries.Select(e => Manifest.Text(e?["name"]) == "enableTLS" ? Manifest.Text(e?["value"]) : null).FirstOrDefault(v => v is not null) ?? "false";
            if (enableTls != setting)
            {
                yield return new Finding(component.Id, "spec.metadata.enableTLS", $"is {enableTls}, the environment's {RedisTlsSetting} is {setting}");
            }
        }

        foreach (var scaler in manifests.OfKind("ScaledObject"))
        {
            var triggers = scaler.At("spec.triggers")?.AsArray() ?? [];
            for (var i = 0; i < triggers.Count; i++)
            {
                var enableTls = Manifest.Text(Manifest.Path(triggers[i], "metadata.enableTLS")) ?? "false";
                if (Manifest.Text(triggers[i]?["type"]) is "redis-streams" or "redis-sentinel-streams" && enableTls != setting)
                {
                    yield return new Finding(scaler.Id, $"spec.triggers[{i}].metadata.enableTLS", $"is {enableTls}, the environment's {RedisTlsSetting} is {setting} (scalers.yaml connections.redis.enableTls)");
                }
            }
        }
    }

    private static IEnumerable<Finding> PostgresTls(ManifestSet manifests, DeployEnvironment environment)
    {
        if (environment != DeployEnvironment.Prod)
        {
            yield break;
        }

        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var containers = deployment.At("spec.template.spec.containers")?.AsArray() ?? [];
            for (var c = 0; c < containers.Count; c++)
            {
                var connection = new ContainerEnvironment(manifests, containers[c]!)["Postgres__ConnectionString"];
                if (connection is null)
                {
                    continue;
                }

                var builder = new DbConnectionStringBuilder { ConnectionString = connection };
                var mode = builder.TryGetValue("SSL Mode", out var value) || builder.TryGetValue("SslMode", out value) ? value?.ToString() : null;
                if (!EncryptedPostgresModes.Contains(mode?.ToUpperInvariant()))
                {
                    yield return new Finding(deployment.Id, $"spec.template.spec.containers[{c}].env.Postgres__ConnectionString",
                        $"SSL Mode is '{mode ?? "unset (Prefer)"}': prod needs Require, VerifyCA or VerifyFull (Prefer falls back to plaintext silently)");
                }
            }
        }
    }

    private static bool Ssl(string? configuration) =>
        !string.IsNullOrWhiteSpace(configuration) && ConfigurationOptions.Parse(configuration).Ssl;

    private static string Word(bool on) => on ? "on" : "off";
}

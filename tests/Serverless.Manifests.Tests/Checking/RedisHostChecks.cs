using System.Text.Json.Nodes;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>
/// The Redis host has one source, the key <c>host</c> of the Secret <c>redis</c> (keda/README.md): the Dapr components'
/// <c>redisHost</c>, every container's Redis connection (composed from <c>$(REDIS_ADDRESS)</c>) and every redis-streams
/// trigger's <c>addressFromEnv</c> read it, so apps, sidecars and KEDA cannot point at different servers; no ConfigMap
/// holds a second copy.
/// </summary>
public static class RedisHostChecks
{
    public static SecretKey Source { get; } = new("redis", "host");

    /// <summary>The variable the Deployments set from <see cref="Source"/> and the triggers read.</summary>
    private const string Variable = "REDIS_ADDRESS";

    /// <summary>Where the deployables name their Redis: RedisOptions.Configuration, ScalerOptions.Redis.</summary>
    private static readonly string[] ConnectionSettings = ["Redis__Configuration", "Scaler__Redis"];

    /// <summary>The redis-streams trigger's keys for a Redis address written in the trigger (platform-semantics §4.1).</summary>
    private static readonly string[] WrittenAddressKeys = ["address", "addresses", "host", "hosts"];

    public static IEnumerable<Finding> Check(ManifestSet manifests) =>
        [.. Components(manifests), .. Containers(manifests), .. Triggers(manifests), .. ConfigMaps(manifests)];

    private static IEnumerable<Finding> Components(ManifestSet manifests)
    {
        foreach (var component in manifests.OfKind("Component").Where(c => Manifest.Text(c.At("spec.type")) is "state.redis" or "pubsub.redis"))
        {
            var entries = component.At("spec.metadata")?.AsArray() ?? [];
            var host = entries.Select((entry, index) => (Entry: entry, Index: index)).FirstOrDefault(e => Manifest.Text(e.Entry?["name"]) == "redisHost");
            if (host.Entry is null)
            {
                yield return new Finding(component.Id, "spec.metadata", $"no redisHost: Dapr's Redis components need one, from {Source}");
            }
            else if (host.Entry["value"] is { } written)
            {
                yield return new Finding(component.Id, $"spec.metadata[{host.Index}].value",
                    $"redisHost is written here ('{Manifest.Text(written)}'): read it from {Source}, the key the apps and KEDA read");
            }
            else if (SecretKey.Of(host.Entry["secretKeyRef"]) is var key && key != Source)
            {
                yield return new Finding(component.Id, $"spec.metadata[{host.Index}].secretKeyRef",
                    $"redisHost reads {key?.ToString() ?? "no Secret"}, the apps and KEDA read {Source}");
            }
        }
    }

    private static IEnumerable<Finding> Containers(ManifestSet manifests)
    {
        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var containers = deployment.At("spec.template.spec.containers")?.AsArray() ?? [];
            for (var c = 0; c < containers.Count; c++)
            {
                var environment = new ContainerEnvironment(manifests, containers[c]!);
                foreach (var setting in ConnectionSettings.Where(environment.Has))
                {
                    var host = environment.Origin(RedisConnection.Parse(environment[setting]).Endpoint);
                    if (host != Source.ToString())
                    {
                        yield return new Finding(deployment.Id, $"spec.template.spec.containers[{c}].env.{setting}",
                            $"the Redis host is '{host}': compose it from $({Variable}) set from {Source}, the key the Dapr components and KEDA read");
                    }
                }
            }
        }
    }

    private static IEnumerable<Finding> Triggers(ManifestSet manifests)
    {
        foreach (var scaler in manifests.OfKind("ScaledObject"))
        {
            var target = manifests.Find("Deployment", Manifest.Text(scaler.At("spec.scaleTargetRef.name")) ?? string.Empty);
            var environment = ScaledContainer(scaler, target) is { } container ? new ContainerEnvironment(manifests, container) : null;
            var triggers = scaler.At("spec.triggers")?.AsArray() ?? [];
            for (var i = 0; i < triggers.Count; i++)
            {
                if (Manifest.Text(triggers[i]?["type"]) != "redis-streams" || triggers[i]?["metadata"] is not JsonObject metadata)
                {
                    continue;
                }

                foreach (var key in WrittenAddressKeys.Where(metadata.ContainsKey))
                {
                    yield return new Finding(scaler.Id, $"spec.triggers[{i}].metadata.{key}",
                        $"a Redis address written in the trigger: read it with addressFromEnv: {Variable}, set from {Source} in the scaled container");
                }

                if (Manifest.Text(metadata["addressFromEnv"]) is { } variable && environment is not null && environment.Variable(variable) is var resolved && resolved?.Secret != Source)
                {
                    yield return new Finding(scaler.Id, $"spec.triggers[{i}].metadata.addressFromEnv",
                        $"{variable} of Deployment/{target?.Name} is {(resolved is null ? "not set" : $"'{resolved.Origin}'")}: KEDA must read the host from {Source}, like the apps and the Dapr components");
                }
            }
        }
    }

    /// <summary>The container whose environment KEDA resolves: <c>scaleTargetRef.envSourceContainerName</c>, else the first.</summary>
    private static JsonNode? ScaledContainer(Manifest scaler, Manifest? target)
    {
        var containers = target?.At("spec.template.spec.containers")?.AsArray() ?? [];
        var name = Manifest.Text(scaler.At("spec.scaleTargetRef.envSourceContainerName"));
        return name is null ? containers.FirstOrDefault() : containers.FirstOrDefault(c => Manifest.Text(c?["name"]) == name);
    }

    private static IEnumerable<Finding> ConfigMaps(ManifestSet manifests) =>
        manifests.OfKind("ConfigMap").Where(map => map.At($"data.{Variable}") is not null).Select(map =>
            new Finding(map.Id, $"data.{Variable}", $"a second copy of the Redis host: it lives in {Source} only, which apps, sidecars and KEDA read"));
}

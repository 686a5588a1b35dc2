using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>What makes an environment itself (architecture §6): every one of these appears only in its own render.</summary>
public sealed record DeployEnvironment(string Name, string Namespace, string RedisDatabase, string TemporalNamespace)
{
    public static DeployEnvironment Dev { get; } = new("dev", "serverless-dev", "1", "dev");

    public static DeployEnvironment Prod { get; } = new("prod", "serverless-prod", "0", "prod");

    public static IReadOnlyList<DeployEnvironment> All { get; } = [Dev, Prod];

    public static DeployEnvironment Named(string name) => All.Single(e => e.Name == name);
}

/// <summary>
/// Environment isolation (no other environment's namespace, Redis database or Temporal namespace), secrets only
/// from Secrets, DNS names only (no IP literal), and a default-deny network policy.
/// </summary>
public static partial class EnvironmentChecks
{
    public static IEnumerable<Finding> Check(ManifestSet manifests, DeployEnvironment environment)
    {
        var others = DeployEnvironment.All.Where(e => e != environment).ToList();
        foreach (var manifest in manifests.All)
        {
            if (manifest.Namespace != environment.Namespace)
            {
                yield return new Finding(manifest.Id, "metadata.namespace", $"is '{manifest.Namespace}', not {environment.Name}'s namespace {environment.Namespace}");
            }

            foreach (var (path, value) in Strings(manifest.Body, string.Empty))
            {
                foreach (var other in others.Where(o => Mentions(value, o)))
                {
                    yield return new Finding(manifest.Id, path, $"'{value}' names environment {other.Name} in the {environment.Name} render");
                }

                // A bind-to-all-interfaces address (0.0.0.0, ::) names no peer; a NetworkPolicy's ipBlock can only be an address range.
                if (IpLiteral().IsMatch(value) && value is not ("0.0.0.0" or "::") && !path.Contains(".ipBlock.", StringComparison.Ordinal))
                {
                    yield return new Finding(manifest.Id, path, $"'{value}' contains an IP address: peers are named by DNS name");
                }
            }
        }

        foreach (var finding in Settings(manifests, environment).Concat(Secrets(manifests)).Concat(NetworkIsolation(manifests)))
        {
            yield return finding;
        }
    }

    /// <summary>The fields that carry the environment's identity hold its values.</summary>
    private static IEnumerable<Finding> Settings(ManifestSet manifests, DeployEnvironment environment)
    {
        var settings = manifests.All.FirstOrDefault(m => m.Kind == "ConfigMap" && m.Name.StartsWith("serverless-environment", StringComparison.Ordinal));
        if (settings is null)
        {
            yield return new Finding("ConfigMap/serverless-environment", "data", "the environment's settings are not in the render");
            yield break;
        }

        foreach (var (key, expected) in new[] { ("Serverless__Environment", environment.Name), ("Temporal__Namespace", environment.TemporalNamespace), ("REDIS_DATABASE", environment.RedisDatabase) })
        {
            var actual = Manifest.Text(settings.At($"data.{key}"));
            if (actual != expected)
            {
                yield return new Finding(settings.Id, $"data.{key}", $"is '{actual}', {environment.Name} needs '{expected}'");
            }
        }

        foreach (var scaler in manifests.OfKind("ScaledObject"))
        {
            var triggers = scaler.At("spec.triggers")?.AsArray() ?? [];
            for (var i = 0; i < triggers.Count; i++)
            {
                var ns = Manifest.Text(Manifest.Path(triggers[i], "metadata.namespace"));
                if (ns is not null && ns != environment.TemporalNamespace)
                {
                    yield return new Finding(scaler.Id, $"spec.triggers[{i}].metadata.namespace", $"is '{ns}', {environment.Name}'s Temporal namespace is '{environment.TemporalNamespace}'");
                }

                var database = Manifest.Text(Manifest.Path(triggers[i], "metadata.databaseIndex"));
                if (database is not null && database != environment.RedisDatabase)
                {
                    yield return new Finding(scaler.Id, $"spec.triggers[{i}].metadata.databaseIndex", $"is '{database}', {environment.Name}'s Redis database is {environment.RedisDatabase}");
                }
            }
        }

        foreach (var component in manifests.OfKind("Component"))
        {
            var entries = component.At("spec.metadata")?.AsArray() ?? [];
            for (var i = 0; i < entries.Count; i++)
            {
                if (Manifest.Text(entries[i]?["name"]) == "redisDB" && Manifest.Text(entries[i]?["value"]) != environment.RedisDatabase)
                {
                    yield return new Finding(component.Id, $"spec.metadata[{i}].value", $"redisDB is '{Manifest.Text(entries[i]?["value"])}', {environment.Name}'s Redis database is {environment.RedisDatabase}");
                }
            }
        }
    }

    /// <summary>No secret in a ConfigMap, a plain env value or a Dapr component's plain metadata value.</summary>
    private static IEnumerable<Finding> Secrets(ManifestSet manifests)
    {
        foreach (var secret in manifests.OfKind("Secret").Where(s => s.At("data") is not null || s.At("stringData") is not null))
        {
            yield return new Finding(secret.Id, "data", "secret values are created in the cluster, never rendered from the repository");
        }

        foreach (var map in manifests.OfKind("ConfigMap"))
        {
            foreach (var (key, value) in map.At("data") as JsonObject ?? [])
            {
                if (SecretName().IsMatch(key) || InlinePassword().IsMatch(Manifest.Text(value) ?? string.Empty))
                {
                    yield return new Finding(map.Id, $"data.{key}", "looks like a secret: take it from a Secret (secretKeyRef)");
                }
            }
        }

        foreach (var deployment in manifests.OfKind("Deployment"))
        {
            var containers = deployment.At("spec.template.spec.containers")?.AsArray() ?? [];
            for (var c = 0; c < containers.Count; c++)
            {
                var env = containers[c]?["env"]?.AsArray() ?? [];
                for (var i = 0; i < env.Count; i++)
                {
                    var name = Manifest.Text(env[i]?["name"]) ?? string.Empty;
                    var value = Manifest.Text(env[i]?["value"]);
                    // A connection string may carry a password only as $(VAR) of a secretKeyRef variable.
                    if (value is not null && ((SecretName().IsMatch(name) && !value.Contains("$(", StringComparison.Ordinal)) || InlinePassword().IsMatch(value)))
                    {
                        yield return new Finding(deployment.Id, $"spec.template.spec.containers[{c}].env[{i}].value", $"{name} is a secret in plain text: use valueFrom.secretKeyRef");
                    }
                }
            }
        }

        foreach (var component in manifests.OfKind("Component"))
        {
            var entries = component.At("spec.metadata")?.AsArray() ?? [];
            for (var i = 0; i < entries.Count; i++)
            {
                if (SecretName().IsMatch(Manifest.Text(entries[i]?["name"]) ?? string.Empty) && entries[i]?["value"] is not null)
                {
                    yield return new Finding(component.Id, $"spec.metadata[{i}].value", "a secret in plain text: use secretKeyRef");
                }
            }
        }
    }

    private static IEnumerable<Finding> NetworkIsolation(ManifestSet manifests)
    {
        var denyAll = manifests.OfKind("NetworkPolicy").Any(p =>
            p.At("spec.podSelector") is JsonObject { Count: 0 }
            && (p.At("spec.policyTypes")?.AsArray() ?? []).Select(Manifest.Text).Order(StringComparer.Ordinal).SequenceEqual(["Egress", "Ingress"])
            && p.At("spec.ingress") is null && p.At("spec.egress") is null);
        if (!denyAll)
        {
            yield return new Finding("NetworkPolicy/default-deny", "spec", "no NetworkPolicy denies all ingress and egress by default");
        }
    }

    private static bool Mentions(string value, DeployEnvironment other) =>
        value.Contains(other.Namespace, StringComparison.Ordinal) || EnvironmentToken(other.Name).IsMatch(value);

    /// <summary><c>prod</c> as a whole value or as the prefix of a resource name (<c>prod-orders</c>), not inside a word.</summary>
    private static Regex EnvironmentToken(string name) => new($"(^|[^A-Za-z0-9]){Regex.Escape(name)}(-|$)", RegexOptions.CultureInvariant);

    private static IEnumerable<(string Path, string Value)> Strings(JsonNode? node, string path) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}")),
        JsonArray array => array.SelectMany((item, i) => Strings(item, $"{path}[{i}]")),
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String => [(path, value.GetValue<string>())],
        _ => [],
    };

    [GeneratedRegex(@"(^|[^0-9.])((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])($|[^0-9.])|(^|[^0-9A-Za-z:])[0-9A-Fa-f]{0,4}::([0-9A-Fa-f]{1,4}(:|$)|$)")]
    private static partial Regex IpLiteral();

    [GeneratedRegex("(password|passwd|secret|token|apikey|api_key|api-key|connectionstring)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(password|pwd)=(?!\$\()[^,;]+", RegexOptions.IgnoreCase)]
    private static partial Regex InlinePassword();
}

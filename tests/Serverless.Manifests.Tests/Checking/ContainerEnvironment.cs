using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>One environment variable as the kubelet would set it; a secret's value is unknown here.</summary>
public sealed record EnvironmentValue(string Name, string? Value, bool FromSecret, bool Literal);

/// <summary>
/// The environment of one container resolved from the render: <c>envFrom</c> ConfigMaps first, then <c>env</c> in
/// order, with <c>$(NAME)</c> expanded from variables defined before (as the kubelet does). Secret values stay
/// <c>$(NAME)</c>: what the app will see is known except the secret itself.
/// </summary>
public sealed partial class ContainerEnvironment
{
    private readonly Dictionary<string, EnvironmentValue> values = new(StringComparer.Ordinal);

    public ContainerEnvironment(ManifestSet manifests, JsonNode container)
    {
        foreach (var source in container["envFrom"]?.AsArray() ?? [])
        {
            var name = Manifest.Text(Manifest.Path(source, "configMapRef.name"));
            var data = name is null ? null : manifests.Find("ConfigMap", name)?.At("data") as JsonObject;
            foreach (var (key, value) in data ?? [])
            {
                values[key] = new EnvironmentValue(key, Manifest.Text(value), FromSecret: false, Literal: false);
            }
        }

        foreach (var entry in container["env"]?.AsArray() ?? [])
        {
            var name = Manifest.Text(entry?["name"]) ?? string.Empty;
            if (entry?["value"] is { } literal)
            {
                values[name] = new EnvironmentValue(name, Expand(Manifest.Text(literal) ?? string.Empty), FromSecret: false, Literal: true);
            }
            else if (Manifest.Path(entry, "valueFrom.secretKeyRef") is not null)
            {
                values[name] = new EnvironmentValue(name, null, FromSecret: true, Literal: false);
            }
            else if (Manifest.Path(entry, "valueFrom.configMapKeyRef") is { } reference)
            {
                var map = manifests.Find("ConfigMap", Manifest.Text(reference["name"]) ?? string.Empty);
                values[name] = new EnvironmentValue(name, Manifest.Text(map?.At($"data.{Manifest.Text(reference["key"])}")), FromSecret: false, Literal: false);
            }
            else
            {
                values[name] = new EnvironmentValue(name, $"<{Manifest.Text(Manifest.Path(entry, "valueFrom.fieldRef.fieldPath")) ?? "downward API"}>", FromSecret: false, Literal: false);
            }
        }
    }

    public IReadOnlyCollection<EnvironmentValue> All => values.Values;

    public string? this[string name] => values.TryGetValue(name, out var value) ? value.Value : null;

    public bool Has(string name) => values.ContainsKey(name);

    private string Expand(string text) => Reference().Replace(text, match =>
        values.TryGetValue(match.Groups[1].Value, out var value) && value.Value is not null ? value.Value : match.Value);

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();
}

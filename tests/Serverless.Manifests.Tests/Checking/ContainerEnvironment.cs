using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>A key of a Secret as a <c>secretKeyRef</c> names it; its value exists only in the cluster.</summary>
public sealed record SecretKey(string Name, string Key)
{
    public static SecretKey? Of(JsonNode? secretKeyRef) => secretKeyRef is null
        ? null
        : new SecretKey(Manifest.Text(secretKeyRef["name"]) ?? string.Empty, Manifest.Text(secretKeyRef["key"]) ?? string.Empty);

    public override string ToString() => $"secretKeyRef {Name}/{Key}";
}

/// <summary>One environment variable as the kubelet would set it; a secret's value is unknown here, <see cref="Secret"/> says where it comes from.</summary>
public sealed record EnvironmentValue(string Name, string? Value, SecretKey? Secret)
{
    /// <summary>What the variable rests on: its Secret key, else its value.</summary>
    public string? Origin => Secret?.ToString() ?? Value;
}

/// <summary>
/// The environment of one container resolved from the render: <c>envFrom</c> ConfigMaps first, then <c>env</c> in
/// order, with <c>$(NAME)</c> expanded from variables defined before (as the kubelet does). Secret values stay
/// <c>$(NAME)</c>: what the app will see is known except the secret itself, and <see cref="Origin"/> names its key.
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
                values[key] = new EnvironmentValue(key, Manifest.Text(value), Secret: null);
            }
        }

        foreach (var entry in container["env"]?.AsArray() ?? [])
        {
            var name = Manifest.Text(entry?["name"]) ?? string.Empty;
            if (entry?["value"] is { } literal)
            {
                values[name] = new EnvironmentValue(name, Expand(Manifest.Text(literal) ?? string.Empty), Secret: null);
            }
            else if (SecretKey.Of(Manifest.Path(entry, "valueFrom.secretKeyRef")) is { } secret)
            {
                values[name] = new EnvironmentValue(name, null, secret);
            }
            else if (Manifest.Path(entry, "valueFrom.configMapKeyRef") is { } reference)
            {
                var map = manifests.Find("ConfigMap", Manifest.Text(reference["name"]) ?? string.Empty);
                values[name] = new EnvironmentValue(name, Manifest.Text(map?.At($"data.{Manifest.Text(reference["key"])}")), Secret: null);
            }
            else
            {
                values[name] = new EnvironmentValue(name, $"<{Manifest.Text(Manifest.Path(entry, "valueFrom.fieldRef.fieldPath")) ?? "downward API"}>", Secret: null);
            }
        }
    }

    public string? this[string name] => values.TryGetValue(name, out var value) ? value.Value : null;

    public bool Has(string name) => values.ContainsKey(name);

    public EnvironmentValue? Variable(string name) => values.GetValueOrDefault(name);

    /// <summary>What a value rests on: exactly <c>$(NAME)</c> of a secretKeyRef variable is that Secret key; any other text is itself.</summary>
    public string? Origin(string? text) =>
        text is not null && WholeReference().Match(text) is { Success: true } match && Variable(match.Groups[1].Value) is { Secret: not null } variable
            ? variable.Origin
            : text;

    private string Expand(string text) => Reference().Replace(text, match =>
        values.TryGetValue(match.Groups[1].Value, out var value) && value.Value is not null ? value.Value : match.Value);

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$")]
    private static partial Regex WholeReference();
}

using System.Text.Json.Nodes;
using Serverless.Testing.Manifests;
using YamlDotNet.RepresentationModel;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>One rendered document: <c>Kind/name</c> is how findings name it.</summary>
public sealed record Manifest(string ApiVersion, string Kind, string Name, string? Namespace, JsonObject Body)
{
    public string Id => $"{Kind}/{Name}";

    /// <summary>The node at a dotted path (<c>spec.template.spec</c>); null when any step is missing.</summary>
    public JsonNode? At(string path) => Path(Body, path);

    public static JsonNode? Path(JsonNode? node, string path)
    {
        foreach (var step in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(step, out var child) ? child : null;
        }

        return node;
    }

    public static string? Text(JsonNode? node) => node is JsonValue value ? value.ToString() : null;
}

/// <summary>Everything one <c>kubectl kustomize</c> rendered.</summary>
public sealed class ManifestSet
{
    private ManifestSet(IReadOnlyList<Manifest> all) => All = all;

    public IReadOnlyList<Manifest> All { get; }

    public static ManifestSet Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var manifests = new List<Manifest>();
        foreach (var document in stream.Documents)
        {
            if (YamlJson.Convert(document.RootNode) is not JsonObject body)
            {
                continue;
            }

            manifests.Add(new Manifest(
                Manifest.Text(body["apiVersion"]) ?? string.Empty,
                Manifest.Text(body["kind"]) ?? string.Empty,
                Manifest.Text(Manifest.Path(body, "metadata.name")) ?? string.Empty,
                Manifest.Text(Manifest.Path(body, "metadata.namespace")),
                body));
        }

        return new ManifestSet(manifests);
    }

    public IEnumerable<Manifest> OfKind(string kind) => All.Where(m => m.Kind == kind);

    public Manifest? Find(string kind, string name) => All.FirstOrDefault(m => m.Kind == kind && m.Name == name);
}

/// <summary>What is wrong, in which document and which field: <c>ScaledObject/payments: spec.triggers[0].metadata.lagCount: ...</c>.</summary>
public sealed record Finding(string Document, string Field, string Message)
{
    public override string ToString() => $"{Document}: {Field}: {Message}";
}

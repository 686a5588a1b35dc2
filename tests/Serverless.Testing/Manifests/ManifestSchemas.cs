using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Xunit;

namespace Serverless.Testing.Manifests;

/// <summary>
/// The upstream schemas manifests are validated against (<c>../shared/schemas</c>: KEDA and Dapr CRDs, Kubernetes
/// JSON schemas), loaded for a JSON-schema evaluator. Kubernetes prunes unknown fields of a structural schema
/// silently, so CRD schemas are closed here (no additional properties where the CRD lists properties): a
/// misspelt field fails instead of vanishing.
/// </summary>
public static class ManifestSchemas
{
    /// <summary>
    /// The schemas live outside the repository (they are upstream files): <c>SERVERLESS_SCHEMAS_DIR</c>, or
    /// <c>../shared/schemas</c> next to the checkout. Skips with a reason CI counts when absent.
    /// </summary>
    public static string RequireDirectory(string repositoryRoot)
    {
        var configured = Environment.GetEnvironmentVariable("SERVERLESS_SCHEMAS_DIR");
        var directory = string.IsNullOrWhiteSpace(configured) ? Path.GetFullPath(Path.Combine(repositoryRoot, "..", "shared", "schemas")) : configured;
        Assert.SkipUnless(
            File.Exists(Path.Combine(directory, "keda.sh_scaledobjects.yaml")),
            $"{Engines.MissingPrefix} upstream manifest schemas (set SERVERLESS_SCHEMAS_DIR to a folder with keda.sh_scaledobjects.yaml)");
        return directory;
    }

    /// <summary>The <c>openAPIV3Schema</c> of one version of a CustomResourceDefinition file, closed.</summary>
    public static JsonSchema FromCrd(string crdPath, string version)
    {
        var crd = YamlJson.Convert(File.ReadAllText(crdPath))!;
        var schema = crd["spec"]!["versions"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == version)!["schema"]!["openAPIV3Schema"]!.DeepClone();
        Close(schema);
        return JsonSchema.FromText(schema.ToJsonString());
    }

    /// <summary>
    /// A standalone JSON schema file (the Kubernetes ones: strict, references inlined). Their <c>$schema</c> names
    /// no draft the evaluator knows, and their Kubernetes keywords mean nothing to it: both go.
    /// </summary>
    public static JsonSchema FromJsonSchemaFile(string path)
    {
        var schema = JsonNode.Parse(File.ReadAllText(path))!;
        schema.AsObject().Remove("$schema");
        Close(schema);
        return JsonSchema.FromText(schema.ToJsonString());
    }

    /// <summary>Every error as <c>&lt;JSON pointer of the field&gt;: &lt;message&gt;</c>; empty when the document is valid.</summary>
    public static IReadOnlyList<string> Errors(JsonSchema schema, JsonNode document)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(document);
        using var json = JsonDocument.Parse(document.ToJsonString());
        var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{Pointer(d.InstanceLocation.ToString())}: {e.Value}")).Distinct()];
    }

    private static string Pointer(string location) => location.Length == 0 ? "/" : location;

    private static void Close(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.ContainsKey("properties") && !obj.ContainsKey("additionalProperties") && !obj.ContainsKey("x-kubernetes-preserve-unknown-fields"))
                {
                    obj["additionalProperties"] = false;
                }

                foreach (var keyword in obj.Select(p => p.Key).Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal)).ToList())
                {
                    obj.Remove(keyword);
                }

                foreach (var child in obj.Select(p => p.Value).ToList())
                {
                    Close(child);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Close(item);
                }

                break;
        }
    }
}

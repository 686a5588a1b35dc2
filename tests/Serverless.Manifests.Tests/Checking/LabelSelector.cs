using System.Text.Json.Nodes;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>A Kubernetes label selector (<c>matchLabels</c> and <c>matchExpressions</c>, ANDed) applied to a pod's labels.</summary>
public static class LabelSelector
{
    /// <summary>An empty selector selects every pod; a missing one (null) none.</summary>
    public static bool Selects(JsonNode? selector, JsonObject labels)
    {
        if (selector is not JsonObject parts)
        {
            return false;
        }

        string? Label(string key) => labels.TryGetPropertyValue(key, out var value) ? Manifest.Text(value) : null;
        var matchLabels = parts["matchLabels"] as JsonObject ?? [];
        if (!matchLabels.All(p => Label(p.Key) == Manifest.Text(p.Value)))
        {
            return false;
        }

        return (parts["matchExpressions"]?.AsArray() ?? []).All(expression =>
        {
            var key = Manifest.Text(expression?["key"]) ?? string.Empty;
            var values = (expression?["values"]?.AsArray() ?? []).Select(Manifest.Text).ToList();
            return Manifest.Text(expression?["operator"]) switch
            {
                "In" => values.Contains(Label(key)),
                "NotIn" => !values.Contains(Label(key)),
                "Exists" => labels.ContainsKey(key),
                "DoesNotExist" => !labels.ContainsKey(key),
                _ => false,
            };
        });
    }

    /// <summary>The labels of a Deployment's pods.</summary>
    public static JsonObject PodLabels(Manifest deployment) => deployment.At("spec.template.metadata.labels") as JsonObject ?? [];
}

using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Serverless.Scaling.Policy;

/// <summary>
/// The policy file as a small tree that remembers, for every value, where it was written and under which
/// path, so a merged (environment-specific) view still reports the line the operator has to change.
/// </summary>
internal abstract record PolicyNode(SourceLocation Location, string Path)
{
    public abstract string Describe();
}

internal sealed record ScalarNode(string Value, bool IsPlain, SourceLocation Location, string Path) : PolicyNode(Location, Path)
{
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "null" : IsPlain ? $"'{Value}'" : $"the quoted string \"{Value}\"";
}

internal sealed record SequenceNode(IReadOnlyList<PolicyNode> Items, SourceLocation Location, string Path) : PolicyNode(Location, Path)
{
    public override string Describe() => "a list";
}

internal sealed record MappingEntry(string Key, SourceLocation KeyLocation, PolicyNode Value);

internal sealed record MappingNode(IReadOnlyList<MappingEntry> Entries, SourceLocation Location, string Path) : PolicyNode(Location, Path)
{
    public PolicyNode? this[string key] => Entries.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.Ordinal))?.Value;

    public override string Describe() => "a mapping";

    /// <summary>
    /// Overlays <paramref name="overlay"/> on <paramref name="baseNode"/>: mappings merge key by key, anything
    /// else is replaced. The result carries the identity (location, path) of the base or of the overlay as asked;
    /// values keep their own, so a finding points at the line that supplied the value.
    /// </summary>
    public static PolicyNode? Overlay(PolicyNode? baseNode, PolicyNode? overlay, bool keepOverlayIdentity)
    {
        if (baseNode is null)
        {
            return overlay;
        }

        if (overlay is null)
        {
            return baseNode;
        }

        if (baseNode is not MappingNode baseMap || overlay is not MappingNode overlayMap)
        {
            return overlay;
        }

        var entries = new List<MappingEntry>(baseMap.Entries.Count + overlayMap.Entries.Count);
        foreach (var entry in baseMap.Entries)
        {
            var replacement = overlayMap.Entries.FirstOrDefault(e => string.Equals(e.Key, entry.Key, StringComparison.Ordinal));
            entries.Add(replacement is null
                ? entry
                : replacement with { Value = Overlay(entry.Value, replacement.Value, keepOverlayIdentity)! });
        }

        entries.AddRange(overlayMap.Entries.Where(e => baseMap[e.Key] is null));
        var identity = keepOverlayIdentity ? overlayMap : baseMap;
        return new MappingNode(entries, identity.Location, identity.Path);
    }
}

/// <summary>Turns YAML text into <see cref="PolicyNode"/>s; syntax problems become diagnostics with their position.</summary>
internal static class PolicyYaml
{
    public static PolicyNode? Parse(string text, string file, DiagnosticBag diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            diagnostics.Error("yaml-syntax", At(file, e.Start), "(file)", e.InnerException?.Message ?? e.Message,
                "fix the YAML syntax at this position (indentation, a missing ':' or an unclosed quote are the usual causes)");
            return null;
        }

        if (stream.Documents.Count != 1)
        {
            diagnostics.Error("yaml-syntax", new SourceLocation(file, 1, 1), "(file)",
                $"expected exactly one YAML document, found {stream.Documents.Count}", "keep the whole policy in one document (no '---' separators)");
            return null;
        }

        return Convert(stream.Documents[0].RootNode, string.Empty, file, diagnostics);
    }

    private static PolicyNode? Convert(YamlNode node, string path, string file, DiagnosticBag diagnostics)
    {
        var location = At(file, node.Start);
        switch (node)
        {
            case YamlScalarNode scalar:
                return new ScalarNode(scalar.Value ?? string.Empty, scalar.Style is ScalarStyle.Plain or ScalarStyle.Any, location, path);
            case YamlSequenceNode sequence:
                var items = new List<PolicyNode>();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    if (Convert(sequence.Children[i], $"{path}[{i}]", file, diagnostics) is { } item)
                    {
                        items.Add(item);
                    }
                }

                return new SequenceNode(items, location, path);
            case YamlMappingNode mapping:
                var entries = new List<MappingEntry>();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var keyLocation = At(file, keyNode.Start);
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        diagnostics.Error("wrong-type", keyLocation, Join(path, "?"), "a key must be a plain name", "write the key as a word followed by ':'");
                        continue;
                    }

                    var childPath = Join(path, key);
                    if (entries.Exists(e => string.Equals(e.Key, key, StringComparison.Ordinal)))
                    {
                        diagnostics.Error("duplicate-field", keyLocation, childPath, $"'{key}' is written twice in the same mapping", "keep one of the two entries");
                        continue;
                    }

                    if (Convert(valueNode, childPath, file, diagnostics) is { } value)
                    {
                        entries.Add(new MappingEntry(key, keyLocation, value));
                    }
                }

                return new MappingNode(entries, location, path);
            default:
                diagnostics.Error("wrong-type", location, path, "unsupported YAML node", "use plain mappings, lists and scalars");
                return null;
        }
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static SourceLocation At(string file, Mark mark) => new(file, (int)Math.Max(mark.Line, 1), (int)Math.Max(mark.Column, 1));
}

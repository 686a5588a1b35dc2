using System.Globalization;
using System.Text.RegularExpressions;

namespace Serverless.Scaling.Policy;

/// <summary>
/// Typed, strict access to one mapping of the policy. Every field read is remembered; whatever is left at
/// <see cref="RejectUnknown"/> is an unknown field, reported with the nearest valid name. Wrong types and
/// out-of-range values are reported at the value's position and yield null, so binding goes on and one run
/// shows every problem.
/// </summary>
internal sealed partial class NodeFields
{
    private readonly MappingNode mapping;
    private readonly DiagnosticBag diagnostics;
    private readonly string logicalPath;
    private readonly LocationSink? sink;
    private readonly HashSet<string> known = new(StringComparer.Ordinal);

    private NodeFields(MappingNode mapping, string logicalPath, DiagnosticBag diagnostics, LocationSink? sink)
    {
        this.mapping = mapping;
        this.logicalPath = logicalPath;
        this.diagnostics = diagnostics;
        this.sink = sink;
    }

    public SourceLocation Location => mapping.Location;

    public DiagnosticBag Diagnostics => diagnostics;

    public string Path => FieldPath(mapping, logicalPath);

    public IReadOnlyList<MappingEntry> Entries => mapping.Entries;

    /// <summary>Null (with a diagnostic) when <paramref name="node"/> is not a mapping.</summary>
    public static NodeFields? Of(PolicyNode? node, string logicalPath, DiagnosticBag diagnostics, LocationSink? sink = null)
    {
        switch (node)
        {
            case MappingNode map:
                return new NodeFields(map, logicalPath, diagnostics, sink);
            case ScalarNode { IsNull: true }:
                return new NodeFields(new MappingNode([], node.Location, node.Path), logicalPath, diagnostics, sink);
            case null:
                return null;
            default:
                diagnostics.Error("wrong-type", node.Location, FieldPath(node, logicalPath),
                    $"expected a mapping of fields, got {node.Describe()}", "indent the fields under this key as 'name: value' lines");
                return null;
        }
    }

    public PolicyNode? Node(string key)
    {
        known.Add(key);
        var node = mapping[key];
        if (node is not null)
        {
            sink?.Record(key, node.Location);
        }

        return node;
    }

    public bool Has(string key) => mapping[key] is not null;

    public NodeFields? Map(string key, bool required = false)
    {
        var node = Node(key);
        if (node is null)
        {
            RequireOrSkip(key, required, "a mapping");
            return null;
        }

        return Of(node, Child(key), diagnostics, sink?.Nested(key));
    }

    public int? Int(string key, int min, int max = int.MaxValue, int? orDefault = null, bool required = false)
    {
        if (Scalar(key, required, "a whole number") is not { } scalar)
        {
            return orDefault;
        }

        if (!IntegerPattern().IsMatch(scalar.Value) || !scalar.IsPlain
            || !int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            WrongType(scalar, key, "a whole number", "write a number without quotes, e.g. 5");
            return null;
        }

        return InRange(scalar, key, value, min, max) ? value : null;
    }

    public double? Number(string key, double min, double max = double.MaxValue, double? orDefault = null, bool required = false, bool exclusiveMin = false)
    {
        if (Scalar(key, required, "a number") is not { } scalar)
        {
            return orDefault;
        }

        if (!scalar.IsPlain || !NumberPattern().IsMatch(scalar.Value)
            || !double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            WrongType(scalar, key, "a number", "write a number without quotes, e.g. 2.5");
            return null;
        }

        var belowMin = exclusiveMin ? value <= min : value < min;
        if (belowMin || value > max)
        {
            var lower = exclusiveMin ? $"greater than {Format(min)}" : $"at least {Format(min)}";
            var upper = max < double.MaxValue ? $" and at most {Format(max)}" : string.Empty;
            diagnostics.Error("out-of-range", scalar.Location, FieldPath(scalar, Child(key)),
                $"{Format(value)} is out of range: must be {lower}{upper}", $"set {key} to a value {lower}{upper}");
            return null;
        }

        return value;
    }

    public bool? Flag(string key, bool orDefault)
    {
        if (Scalar(key, required: false, "true or false") is not { } scalar)
        {
            return orDefault;
        }

        if (scalar.IsPlain && scalar.Value is "true" or "True" or "TRUE")
        {
            return true;
        }

        if (scalar.IsPlain && scalar.Value is "false" or "False" or "FALSE")
        {
            return false;
        }

        WrongType(scalar, key, "true or false", "write true or false without quotes");
        return null;
    }

    public string? Text(string key, bool required = false, Regex? pattern = null, string? patternHint = null, string? orDefault = null)
    {
        if (Scalar(key, required, "a text value") is not { } scalar)
        {
            return orDefault;
        }

        if (pattern is not null && !pattern.IsMatch(scalar.Value))
        {
            diagnostics.Error("invalid-value", scalar.Location, FieldPath(scalar, Child(key)),
                $"'{scalar.Value}' is not valid: {patternHint}", $"rename it to match: {patternHint}");
            return null;
        }

        return scalar.Value;
    }

    public T? Choice<T>(string key, IReadOnlyDictionary<string, T> names, T? orDefault = null, bool required = false)
        where T : struct, Enum
    {
        if (Scalar(key, required, "one of " + string.Join(", ", names.Keys)) is not { } scalar)
        {
            return orDefault;
        }

        return ChoiceOf(scalar, Child(key), names);
    }

    public T? ChoiceOf<T>(PolicyNode node, string path, IReadOnlyDictionary<string, T> names)
        where T : struct, Enum
    {
        if (node is ScalarNode scalar && names.TryGetValue(scalar.Value, out var value))
        {
            return value;
        }

        var hint = "one of " + string.Join(", ", names.Keys);
        var suggestion = node is ScalarNode s ? Suggest(s.Value, names.Keys) : null;
        diagnostics.Error(node is ScalarNode ? "invalid-value" : "wrong-type", node.Location, FieldPath(node, path),
            $"expected {hint}, got {node.Describe()}", suggestion is null ? $"use {hint}" : $"did you mean '{suggestion}'?");
        return null;
    }

    /// <summary>The items of a list field, or null (with a diagnostic) when the field is not a list.</summary>
    public IReadOnlyList<PolicyNode>? List(string key, bool required = false)
    {
        var node = Node(key);
        switch (node)
        {
            case null:
                RequireOrSkip(key, required, "a list");
                return null;
            case SequenceNode sequence:
                return sequence.Items;
            default:
                diagnostics.Error("wrong-type", node.Location, FieldPath(node, Child(key)),
                    $"expected a list, got {node.Describe()}", $"write {key} as a list: '- item' lines or [a, b]");
                return null;
        }
    }

    public string Child(string key) => PolicyYaml.Join(logicalPath, key);

    /// <summary>Reports every field that was never asked for: a typo, or a field that does not belong here.</summary>
    public void RejectUnknown(string? context = null)
    {
        foreach (var entry in mapping.Entries.Where(e => !known.Contains(e.Key)))
        {
            var suggestion = Suggest(entry.Key, known);
            var where = context is null ? string.Empty : $" {context}";
            var valid = string.Join(", ", known.Order(StringComparer.Ordinal));
            diagnostics.Error("unknown-field", entry.KeyLocation, FieldPath(entry.Value, Child(entry.Key)),
                $"unknown field '{entry.Key}'{where}",
                suggestion is null ? $"remove it; valid fields here: {valid}" : $"did you mean '{suggestion}'? (valid fields here: {valid})");
        }
    }

    public void Error(string code, string key, string message, string fix)
    {
        var node = mapping[key];
        diagnostics.Error(code, node?.Location ?? mapping.Location, node is null ? Child(key) : FieldPath(node, Child(key)), message, fix);
    }

    private ScalarNode? Scalar(string key, bool required, string expected)
    {
        var node = Node(key);
        switch (node)
        {
            case null:
                RequireOrSkip(key, required, expected);
                return null;
            case ScalarNode { IsNull: true } nullNode:
                if (required)
                {
                    diagnostics.Error("missing-field", nullNode.Location, FieldPath(nullNode, Child(key)), $"'{key}' has no value", $"set {key} to {expected}");
                }

                return null;
            case ScalarNode scalar:
                return scalar;
            default:
                WrongType(node, key, expected, $"set {key} to {expected}");
                return null;
        }
    }

    private void RequireOrSkip(string key, bool required, string expected)
    {
        if (required)
        {
            diagnostics.Error("missing-field", mapping.Location, Child(key), $"required field '{key}' is missing", $"add '{key}:' with {expected}");
        }
    }

    private void WrongType(PolicyNode node, string key, string expected, string fix) =>
        diagnostics.Error("wrong-type", node.Location, FieldPath(node, Child(key)), $"expected {expected}, got {node.Describe()}", fix);

    private bool InRange(ScalarNode scalar, string key, int value, int min, int max)
    {
        if (value >= min && value <= max)
        {
            return true;
        }

        var range = max == int.MaxValue ? $"at least {min}" : $"between {min} and {max}";
        diagnostics.Error("out-of-range", scalar.Location, FieldPath(scalar, Child(key)), $"{value} is out of range: must be {range}", $"set {key} to a value {range}");
        return false;
    }

    /// <summary>The path where the value was written; merged values keep the path of their source.</summary>
    private static string FieldPath(PolicyNode node, string logical) => node.Path.Length > 0 ? node.Path : logical;

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string? Suggest(string typed, IEnumerable<string> candidates) =>
        candidates
            .Select(c => (Name: c, Distance: EditDistance(typed.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(2, typed.Length / 3))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    [GeneratedRegex("^[-+]?[0-9]+\\z")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z")]
    private static partial Regex NumberPattern();
}

/// <summary>Collects where the fields of one queue were written, keyed by their path below the queue.</summary>
internal sealed class LocationSink(Dictionary<string, SourceLocation> target, string prefix)
{
    public static LocationSink Root(Dictionary<string, SourceLocation> target) => new(target, string.Empty);

    public void Record(string key, SourceLocation location) => target[PolicyYaml.Join(prefix, key)] = location;

    public LocationSink Nested(string key) => new(target, PolicyYaml.Join(prefix, key));
}

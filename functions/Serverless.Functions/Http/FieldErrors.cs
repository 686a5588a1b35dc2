using System.Text.Json;
using System.Text.RegularExpressions;

namespace Serverless.Functions.Http;

/// <summary>
/// Reads fields of a parsed JSON body and collects every problem under the field's path
/// (<c>lines[2].quantity</c>), so one <c>400</c> lists all of them instead of the first.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    public void Add(string path, string error)
    {
        if (!errors.TryGetValue(path, out var list))
        {
            errors[path] = list = [];
        }

        list.Add(error);
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Key of problems with the body as a whole.</summary>
    public const string Body = "body";

    /// <summary>True for an object; reports every property not in <paramref name="known"/> (names are case-sensitive).</summary>
    public bool ExpectObject(JsonElement element, FieldPath path, IReadOnlyCollection<string> known)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Add(path.IsRoot ? Body : path.ToString(), $"Must be a JSON object; got {Describe(element)}.");
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                Add(path.For(property.Name), $"Unknown field; expected only: {string.Join(", ", known)}.");
            }
        }

        return true;
    }

    /// <summary>A required string matching <paramref name="pattern"/>; <paramref name="rule"/> says in words what is allowed.</summary>
    public string? RequiredString(JsonElement parent, FieldPath path, string name, Regex pattern, string rule)
    {
        if (!Present(parent, name, out var element))
        {
            Add(path.For(name), $"Required: {rule}.");
            return null;
        }

        return String(element, path, name, pattern, rule);
    }

    /// <summary>An optional string: absent or null gives null without an error.</summary>
    public string? OptionalString(JsonElement parent, string name, Regex pattern, string rule) =>
        Present(parent, name, out var element) ? String(element, FieldPath.Root, name, pattern, rule) : null;

    public int? RequiredInteger(JsonElement parent, FieldPath path, string name, int min, int max)
    {
        if (Present(parent, name, out var element)
            && element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value) && value >= min && value <= max)
        {
            return value;
        }

        AddNumberError(element, path.For(name), $"a whole number from {min} to {max}");
        return null;
    }

    public decimal? RequiredDecimal(JsonElement parent, FieldPath path, string name, decimal min, decimal max, int decimals)
    {
        if (Present(parent, name, out var element)
            && element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var value)
            && value > min && value <= max && decimal.Round(value, decimals) == value)
        {
            return value;
        }

        AddNumberError(element, path.For(name), $"a number greater than {min} and at most {max}, with at most {decimals} decimal places");
        return null;
    }

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>True when <paramref name="name"/> is present and not null.</summary>
    private static bool Present(JsonElement parent, string name, out JsonElement element) =>
        parent.TryGetProperty(name, out element) && element.ValueKind != JsonValueKind.Null;

    /// <summary>Reports a number field that is absent (<paramref name="element"/> undefined or null) or breaks <paramref name="rule"/>.</summary>
    private void AddNumberError(JsonElement element, string field, string rule)
    {
        if (element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            Add(field, $"Required: {rule}.");
            return;
        }

        var got = element.ValueKind == JsonValueKind.Number ? element.GetRawText() : Describe(element);
        Add(field, $"Must be {rule}; got {got}.");
    }

    private string? String(JsonElement element, FieldPath path, string name, Regex pattern, string rule)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            Add(path.For(name), $"Must be a string: {rule}; got {Describe(element)}.");
            return null;
        }

        string value;
        try
        {
            value = element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // Lone surrogates and invalid UTF-8 inside a string only surface when it is decoded.
            Add(path.For(name), "Must be valid Unicode text (no lone surrogates, valid UTF-8).");
            return null;
        }

        if (!pattern.IsMatch(value))
        {
            Add(path.For(name), $"Must be {rule}.");
            return null;
        }

        return value;
    }
}

/// <summary>
/// Where a field sits in the body: the root object, or an item of a top-level array. Its text is
/// made only when a problem is reported, so a valid body allocates no paths.
/// </summary>
public readonly struct FieldPath
{
    private readonly string? array;
    private readonly int index;

    private FieldPath(string array, int index)
    {
        this.array = array;
        this.index = index;
    }

    public static FieldPath Root => default;

    public bool IsRoot => array is null;

    /// <summary>Item <paramref name="index"/> of the array field <paramref name="array"/>: <c>lines[2]</c>.</summary>
    public static FieldPath Item(string array, int index) => new(array, index);

    /// <summary>The path of field <paramref name="name"/> here: <c>customerId</c>, <c>lines[2].quantity</c>.</summary>
    public string For(string name) => IsRoot ? name : $"{array}[{index}].{name}";

    public override string ToString() => IsRoot ? string.Empty : $"{array}[{index}]";
}

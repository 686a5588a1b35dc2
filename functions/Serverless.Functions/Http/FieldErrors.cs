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
    public bool ExpectObject(JsonElement element, string path, IReadOnlyCollection<string> known)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Add(path.Length == 0 ? Body : path, $"Must be a JSON object; got {Describe(element)}.");
            return false;
        }

        foreach (var property in element.EnumerateObject().Where(p => !known.Contains(p.Name)))
        {
            Add(Join(path, property.Name), $"Unknown field; expected only: {string.Join(", ", known)}.");
        }

        return true;
    }

    /// <summary>A required string matching <paramref name="pattern"/>; <paramref name="rule"/> says in words what is allowed.</summary>
    public string? RequiredString(JsonElement parent, string path, string name, Regex pattern, string rule) =>
        Required(parent, Join(path, name), name, rule, out var element) ? String(element, Join(path, name), pattern, rule) : null;

    /// <summary>An optional string: absent or null gives null without an error.</summary>
    public string? OptionalString(JsonElement parent, string name, Regex pattern, string rule) =>
        parent.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null
            ? String(element, name, pattern, rule)
            : null;

    public int? RequiredInteger(JsonElement parent, string path, string name, int min, int max)
    {
        var rule = $"a whole number from {min} to {max}";
        return Number<int>(parent, Join(path, name), name, rule, element => element.TryGetInt32(out var value) && value >= min && value <= max ? value : null);
    }

    public decimal? RequiredDecimal(JsonElement parent, string path, string name, decimal min, decimal max, int decimals)
    {
        var rule = $"a number greater than {min} and at most {max}, with at most {decimals} decimal places";
        return Number<decimal>(parent, Join(path, name), name, rule, element =>
            element.TryGetDecimal(out var value) && value > min && value <= max && decimal.Round(value, decimals) == value ? value : null);
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

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

    /// <summary>True when <paramref name="name"/> is present and not null; else reports it as required.</summary>
    private bool Required(JsonElement parent, string field, string name, string rule, out JsonElement element)
    {
        if (parent.TryGetProperty(name, out element) && element.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        Add(field, $"Required: {rule}.");
        return false;
    }

    private T? Number<T>(JsonElement parent, string field, string name, string rule, Func<JsonElement, T?> read)
        where T : struct
    {
        if (!Required(parent, field, name, rule, out var element))
        {
            return null;
        }

        var value = element.ValueKind == JsonValueKind.Number ? read(element) : null;
        if (value is null)
        {
            var got = element.ValueKind == JsonValueKind.Number ? element.GetRawText() : Describe(element);
            Add(field, $"Must be {rule}; got {got}.");
        }

        return value;
    }

    private string? String(JsonElement element, string field, Regex pattern, string rule)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            Add(field, $"Must be a string: {rule}; got {Describe(element)}.");
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
            Add(field, "Must be valid Unicode text (no lone surrogates, valid UTF-8).");
            return null;
        }

        if (!pattern.IsMatch(value))
        {
            Add(field, $"Must be {rule}.");
            return null;
        }

        return value;
    }
}

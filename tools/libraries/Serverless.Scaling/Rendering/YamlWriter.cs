using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Serverless.Scaling.Rendering;

/// <summary>
/// Writes <see cref="YamlMap"/> documents in one fixed style (two-space indent, block lists, LF), so the same
/// input always gives the same bytes. Strings are quoted whenever a YAML 1.1 or 1.2 reader could take them
/// for something else (numbers, booleans, null, anything with ':' or '#'): KEDA wants metadata as strings.
/// </summary>
public static partial class YamlWriter
{
    public static string Write(YamlMap document, IEnumerable<string>? headerComments = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var text = new StringBuilder();
        foreach (var comment in headerComments ?? [])
        {
            text.Append("# ").Append(comment).Append('\n');
        }

        WriteMap(text, document, 0);
        return text.ToString();
    }

    private static void WriteMap(StringBuilder text, YamlMap map, int indent)
    {
        foreach (var (key, value) in map)
        {
            text.Append(' ', indent).Append(Key(key)).Append(':');
            WriteValueAfterKey(text, value, indent);
        }
    }

    private static void WriteValueAfterKey(StringBuilder text, object value, int indent)
    {
        switch (value)
        {
            case YamlMap { Count: 0 }:
                text.Append(" {}\n");
                break;
            case YamlMap nested:
                text.Append('\n');
                WriteMap(text, nested, indent + 2);
                break;
            case IReadOnlyList<object> { Count: 0 }:
                text.Append(" []\n");
                break;
            case IReadOnlyList<object> list:
                text.Append('\n');
                WriteList(text, list, indent + 2);
                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteList(StringBuilder text, IReadOnlyList<object> list, int indent)
    {
        foreach (var item in list)
        {
            text.Append(' ', indent).Append('-');
            if (item is YamlMap { Count: > 0 } map)
            {
                var first = true;
                foreach (var (key, value) in map)
                {
                    if (first)
                    {
                        text.Append(' ');
                        first = false;
                    }
                    else
                    {
                        text.Append(' ', indent + 2);
                    }

                    text.Append(Key(key)).Append(':');
                    WriteValueAfterKey(text, value, indent + 2);
                }
            }
            else
            {
                text.Append(' ').Append(item is YamlMap ? "{}" : Scalar(item)).Append('\n');
            }
        }
    }

    private static string Key(string key) => SafeKey().IsMatch(key) ? key : Quote(key);

    public static string Scalar(object value) => value switch
    {
        string s => IsPlainSafe(s) ? s : Quote(s),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"cannot write a {value.GetType().Name} as a YAML scalar", nameof(value)),
    };

    private static bool IsPlainSafe(string value) =>
        SafePlain().IsMatch(value) && !Reserved().IsMatch(value);

    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_./-]*\\z")]
    private static partial Regex SafePlain();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_./-]*\\z")]
    private static partial Regex SafeKey();

    [GeneratedRegex("^(y|yes|n|no|true|false|on|off|null)\\z", RegexOptions.IgnoreCase)]
    private static partial Regex Reserved();
}

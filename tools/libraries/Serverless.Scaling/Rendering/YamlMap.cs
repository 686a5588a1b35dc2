using System.Collections;

namespace Serverless.Scaling.Rendering;

/// <summary>
/// An ordered YAML mapping for rendering. Values are strings, integers, booleans, <see cref="YamlMap"/>s or
/// lists of those; a null value leaves the key out, so optional fields read naturally in initialisers.
/// </summary>
public sealed class YamlMap : IEnumerable<KeyValuePair<string, object>>
{
    private readonly List<KeyValuePair<string, object>> entries = [];

    public int Count => entries.Count;

    public void Add(string key, object? value)
    {
        if (value is not null)
        {
            entries.Add(new KeyValuePair<string, object>(key, value));
        }
    }

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

namespace Serverless.Scaling.Policy;

/// <summary>Where each field of a queue was written (after overrides), so findings point at the right line.</summary>
public sealed class FieldLocations(SourceLocation queue, IReadOnlyDictionary<string, SourceLocation> fields)
{
    public SourceLocation Queue { get; } = queue;

    /// <summary>The field's own location, else its nearest written parent, else the queue.</summary>
    public SourceLocation Of(string field)
    {
        for (var path = field; path.Length > 0; path = Parent(path))
        {
            if (fields.TryGetValue(path, out var location))
            {
                return location;
            }
        }

        return Queue;
    }

    private static string Parent(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? string.Empty : path[..dot];
    }
}

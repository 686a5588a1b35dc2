using System.Collections;

namespace Serverless.Platform.Correlation;

/// <summary>
/// Logging scope state carrying one correlation id: structured loggers read it as the
/// <see cref="CorrelationId.LogProperty"/> property, text loggers print <c>CorrelationId:…</c>
/// (a dictionary printed its type name there), and it costs one small object per request.
/// </summary>
public sealed class CorrelationScope(string id) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new(CorrelationId.LogProperty, id) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{CorrelationId.LogProperty}:{id}";
}

namespace Serverless.Platform.State;

/// <summary>
/// Dapr's default bulk save (components-contrib state/bulk.go): every item is its own write, all in
/// parallel, and the failures are joined afterwards, so a refused item never stops the others.
/// </summary>
internal static class BulkSaves
{
    /// <summary>Runs <paramref name="trySave"/> for every item; false if one was refused on its ETag, an exception if one was refused otherwise.</summary>
    public static async Task<bool> RunAsync(IReadOnlyList<StateUpsert> items, Func<StateUpsert, Task<bool>> trySave)
    {
        var outcomes = await Task.WhenAll(items.Select(item => CaptureAsync(trySave(item))));
        if (outcomes.Select(o => o.Failure).OfType<InvalidETagException>().FirstOrDefault() is { } invalid)
        {
            throw invalid;
        }

        if (outcomes.Any(o => o is { Saved: false, Failure: null }))
        {
            return false;
        }

        var conflicts = items.Where((_, i) => outcomes[i].Failure is StateConflictException).Select(item => $"'{item.Key}'").ToList();
        return conflicts.Count == 0
            ? true
            : throw new StateConflictException(
                $"The state store refused to save {string.Join(", ", conflicts)} without an ETag (created with first-write concurrency); the other items were saved.");
    }

    private static async Task<(bool Saved, Exception? Failure)> CaptureAsync(Task<bool> save)
    {
        try
        {
            return (await save, null);
        }
        catch (Exception e) when (e is InvalidETagException or StateConflictException)
        {
            return (false, e);
        }
    }
}

namespace Serverless.Platform.State;

/// <summary>The typed API: values as the JSON <c>DaprClient</c> sends (<see cref="StateValues"/>).</summary>
public static class StateStoreExtensions
{
    /// <summary>
    /// The value and its ETag, or null when the key does not exist. A value that is not JSON of
    /// <typeparamref name="T"/> throws <see cref="UnreadableStateException"/>.
    /// </summary>
    public static async Task<StateEntry<T>?> GetAsync<T>(this IStateStore store, string key, CancellationToken cancellationToken) =>
        StateValues.Deserialize<T>(await store.GetBytesAsync(key, cancellationToken), key);

    /// <summary>One result per key, in the order asked; a value that is not JSON of <typeparamref name="T"/> is an error on that key only.</summary>
    public static async Task<IReadOnlyList<BulkStateEntry<T>>> GetBulkAsync<T>(
        this IStateStore store, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var items = await store.GetBulkBytesAsync(keys, cancellationToken);
        return items.Select(Typed<T>).ToList();
    }

    /// <inheritdoc cref="IStateStore.TrySaveBytesAsync"/>
    public static Task<bool> TrySaveAsync<T>(this IStateStore store, string key, T value, StateWrite write, CancellationToken cancellationToken) =>
        store.TrySaveBytesAsync(key, StateValues.Serialize(value), write, cancellationToken);

    private static BulkStateEntry<T> Typed<T>(BulkStateEntry<ReadOnlyMemory<byte>> item)
    {
        if (item.Entry is not { } entry)
        {
            return new BulkStateEntry<T>(item.Key, null, item.Error);
        }

        try
        {
            return new BulkStateEntry<T>(item.Key, StateValues.Deserialize<T>(entry, item.Key));
        }
        catch (UnreadableStateException e)
        {
            return new BulkStateEntry<T>(item.Key, null, e.Message);
        }
    }
}

namespace Serverless.Platform.State;

/// <summary>
/// Key/value state with Dapr's semantics (platform-semantics §6). Two implementations: through a
/// Dapr sidecar (<see cref="DaprStateStore"/>) and straight to Redis in Dapr's layout
/// (<see cref="RedisStateStore"/>). Keys are the application's keys; the store adds the prefix.
/// </summary>
public interface IStateStore
{
    /// <summary>The value and its ETag, or null when the key does not exist.</summary>
    Task<StateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken);

    /// <summary>One result per key, in the order asked; a missing key has no value and no ETag.</summary>
    Task<IReadOnlyList<BulkStateEntry<T>>> GetBulkAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="value"/>. Returns false when an ETag was supplied and the store refused
    /// the write (mismatch, or a first-write key); a refusal without an ETag throws
    /// <see cref="StateConflictException"/>, as Dapr's API does (409 only for ETag requests).
    /// </summary>
    Task<bool> TrySaveAsync<T>(string key, T value, StateWrite write, CancellationToken cancellationToken);

    /// <summary>Deletes the key. Returns false when <paramref name="etag"/> does not match; an absent key counts as deleted.</summary>
    Task<bool> TryDeleteAsync(string key, string? etag, CancellationToken cancellationToken);
}

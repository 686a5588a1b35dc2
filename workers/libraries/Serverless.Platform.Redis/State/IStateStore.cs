namespace Serverless.Platform.State;

/// <summary>
/// Key/value state with Dapr's semantics (platform-semantics §6). Two implementations: through a
/// Dapr sidecar (<see cref="DaprStateStore"/>) and straight to Redis in Dapr's layout
/// (<see cref="RedisStateStore"/>). Keys are the application's keys; the store adds the prefix.
/// Values are bytes, stored as-is in <c>data</c>; <see cref="StateStoreExtensions"/> adds the typed
/// (JSON) API on top.
/// </summary>
public interface IStateStore
{
    /// <summary>The stored bytes and their ETag, or null when the key does not exist.</summary>
    Task<StateEntry<ReadOnlyMemory<byte>>?> GetBytesAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// One result per key, in the order asked. Like Dapr's bulk get, a key that cannot be read (say a
    /// hash without <c>version</c>) carries its own <see cref="BulkStateEntry{T}.Error"/> and the others are still returned.
    /// </summary>
    Task<IReadOnlyList<BulkStateEntry<ReadOnlyMemory<byte>>>> GetBulkBytesAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="value"/>. Returns false when an ETag was supplied and the store refused
    /// the write (mismatch, or a first-write key); a refusal without an ETag throws
    /// <see cref="StateConflictException"/>, as Dapr's API does (409 only for ETag requests).
    /// </summary>
    Task<bool> TrySaveBytesAsync(string key, ReadOnlyMemory<byte> value, StateWrite write, CancellationToken cancellationToken);

    /// <summary>Deletes the key. Returns false when <paramref name="etag"/> does not match; an absent key counts as deleted.</summary>
    Task<bool> TryDeleteAsync(string key, string? etag, CancellationToken cancellationToken);

    /// <summary>
    /// Dapr's bulk save: every item is its own write with its own ETag and TTL, not atomic. Returns
    /// false when the store refused at least one item on its ETag; the other items are saved all the same.
    /// A refused item without an ETag throws <see cref="StateConflictException"/>, a non-numeric ETag
    /// <see cref="InvalidETagException"/> (again after the other items were saved).
    /// </summary>
    Task<bool> TrySaveBulkAsync(IReadOnlyList<StateUpsert> items, CancellationToken cancellationToken);

    /// <summary>Dapr's bulk delete: every item on its own; false when at least one ETag did not match (the others are deleted).</summary>
    Task<bool> TryDeleteBulkAsync(IReadOnlyList<StateRemoval> items, CancellationToken cancellationToken);

    /// <summary>
    /// Dapr's Redis transaction (platform-semantics §6.3): the same scripts as single writes in one
    /// MULTI/EXEC, each operation with its own ETag and TTL, <c>first-write</c> never set. A
    /// non-numeric ETag refuses the whole transaction (<see cref="InvalidETagException"/>, nothing
    /// applied); a refused operation throws <see cref="StateTransactionException"/> after EXEC, and
    /// the other operations stay applied (no rollback).
    /// </summary>
    Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken);
}

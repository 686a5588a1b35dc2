namespace Serverless.Platform.State;

/// <summary>A stored value and its ETag; the ETag is null for a legacy plain-string key (read with <c>GET</c>, platform-semantics §6.2).</summary>
public sealed record StateEntry<T>(T Value, string? ETag);

/// <summary>
/// One key of a bulk read, as Dapr's bulk get reports it: found (<see cref="Entry"/>), missing
/// (neither), or failed on its own (<see cref="Error"/>) without failing the other keys.
/// </summary>
public sealed record BulkStateEntry<T>(string Key, StateEntry<T>? Entry, string? Error = null)
{
    public bool Found => Entry is not null;

    public T? Value => Entry is { } entry ? entry.Value : default;

    public string? ETag => Entry?.ETag;
}

/// <summary>Dapr's concurrency option. Unset means: the ETag, when given, must match.</summary>
public enum StateConcurrency
{
    /// <summary>The write must carry the current ETag once the key exists (and marks the key so).</summary>
    FirstWrite,

    /// <summary>The ETag is ignored: the last write wins (unless the key was created with first-write).</summary>
    LastWrite,
}

/// <summary>
/// How to save: <paramref name="ETag"/> (null or empty = none), <paramref name="Concurrency"/>
/// (null = Dapr's default), <paramref name="TtlInSeconds"/> (&gt; 0 expires, ≤ 0 never expires,
/// null = the store's default TTL).
/// </summary>
public sealed record StateWrite(string? ETag = null, StateConcurrency? Concurrency = null, int? TtlInSeconds = null)
{
    public static StateWrite LastWriteWins { get; } = new(Concurrency: StateConcurrency.LastWrite);

    public bool HasETag => !string.IsNullOrEmpty(ETag);
}

/// <summary>One write of a bulk save or a transaction; build it with <see cref="StateOperation.Save{T}"/> or <see cref="StateOperation.SaveBytes"/>.</summary>
public sealed record StateUpsert(string Key, ReadOnlyMemory<byte> Value, StateWrite Write) : StateOperation(Key);

/// <summary>One delete of a bulk delete or a transaction: removed when <paramref name="ETag"/> matches, is absent, or the key is absent.</summary>
public sealed record StateRemoval(string Key, string? ETag = null) : StateOperation(Key);

/// <summary>An operation of a transaction (Dapr's <c>upsert</c> or <c>delete</c>).</summary>
public abstract record StateOperation(string Key)
{
    /// <summary>Saves <paramref name="value"/> as the JSON <c>DaprClient</c> would send.</summary>
    public static StateUpsert Save<T>(string key, T value, StateWrite? write = null) =>
        new(key, StateValues.Serialize(value), write ?? new StateWrite());

    /// <summary>Saves <paramref name="value"/> as-is, as a Dapr app saving bytes over gRPC does.</summary>
    public static StateUpsert SaveBytes(string key, ReadOnlyMemory<byte> value, StateWrite? write = null) =>
        new(key, value, write ?? new StateWrite());

    public static StateRemoval Delete(string key, string? etag = null) => new(key, etag);
}

/// <summary>The store refused a write that carried no ETag (the key was created with first-write).</summary>
public sealed class StateConflictException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An ETag that is not a number: Dapr's Redis store rejects it (<c>ETagInvalid</c>).</summary>
public sealed class InvalidETagException(string etag, Exception? inner = null)
    : Exception($"ETag '{etag}' is not valid: this store's ETags are integers.", inner);

/// <summary>
/// A stored value that cannot be read as asked: not JSON of the requested type (e.g. raw bytes a
/// Dapr app saved over gRPC: read them with <c>GetBytesAsync</c>), or a hash without <c>data</c>/<c>version</c>.
/// </summary>
public sealed class UnreadableStateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A transaction in which the store refused some operations. Like Dapr's Redis store (MULTI/EXEC,
/// platform-semantics §6.3) there is no rollback: the other operations were applied.
/// </summary>
public sealed class StateTransactionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The state store could not be reached; callers may fall back to the system of record.</summary>
public sealed class StateStoreUnavailableException(string message, Exception inner) : Exception(message, inner);

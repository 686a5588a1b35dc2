namespace Serverless.Platform.State;

public sealed record StateEntry<T>(T Value, string? ETag);

public sealed record BulkStateEntry<T>(string Key, T? Value, string? ETag)
{
    public bool Found => ETag is not null;
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

/// <summary>The store refused a write that carried no ETag (the key was created with first-write).</summary>
public sealed class StateConflictException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An ETag that is not a number: Dapr's Redis store rejects it (<c>ETagInvalid</c>).</summary>
public sealed class InvalidETagException(string etag) : Exception($"ETag '{etag}' is not valid: this store's ETags are integers.");

/// <summary>The state store could not be reached; callers may fall back to the system of record.</summary>
public sealed class StateStoreUnavailableException(string message, Exception inner) : Exception(message, inner);

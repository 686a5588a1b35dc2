using System.Collections.Concurrent;

namespace Serverless.Scaler.Backlog;

/// <summary>
/// One read per key at a time, and its result reused for <c>maxAge</c> after it started: the
/// callers of one target (KEDA's poll, every HPA read, each push stream's recheck) share a read
/// instead of each costing one. A failed read is not reused once it has failed. The read runs
/// without any caller's cancellation (it is shared); each caller stops waiting on its own token.
/// </summary>
public sealed class SharedReads<TKey, TValue>(TimeSpan maxAge, TimeProvider time)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> entries = new();

    public Task<TValue> GetAsync(TKey key, Func<Task<TValue>> read, CancellationToken cancellationToken)
    {
        var candidate = new Entry(new Lazy<Task<TValue>>(read), time.GetTimestamp());
        var entry = entries.AddOrUpdate(key, candidate, (_, existing) => IsReusable(existing) ? existing : candidate);
        return entry.Read.Value.WaitAsync(cancellationToken);
    }

    private bool IsReusable(Entry entry)
    {
        if (!entry.Read.IsValueCreated)
        {
            return true;
        }

        var read = entry.Read.Value;
        return !read.IsCompleted || (read.IsCompletedSuccessfully && time.GetElapsedTime(entry.StartedAt) < maxAge);
    }

    private sealed record Entry(Lazy<Task<TValue>> Read, long StartedAt);
}

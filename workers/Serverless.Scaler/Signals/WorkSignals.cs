using System.Collections.Concurrent;

namespace Serverless.Scaler.Signals;

/// <summary>
/// Wake-ups per stream or task queue: whoever learns of new work (the stream watcher, a function
/// that just started a workflow) pulses the key, and every push stream waiting on it re-evaluates
/// at once instead of at its next poll.
/// </summary>
public sealed class WorkSignals(ArrivalClock arrivals)
{
    private readonly ConcurrentDictionary<string, Pulse> pulses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> watchedStreams = new(StringComparer.Ordinal);

    /// <summary>Streams some push client currently waits on: the watcher reads only these.</summary>
    public IReadOnlyCollection<string> WatchedStreams => watchedStreams.Where(w => w.Value > 0).Select(w => w.Key).ToList();

    /// <summary>Work arrived on <paramref name="key"/>: its activation window starts again and its push streams re-evaluate.</summary>
    public void Arrived(string key)
    {
        arrivals.Arrived(key);
        Notify(key);
    }

    /// <summary>Re-evaluate now without claiming an arrival (e.g. to count entries that may have been missed).</summary>
    public void Notify(string key) => pulses.GetOrAdd(key, _ => new Pulse()).Fire();

    /// <summary>Completes when <paramref name="key"/> is pulsed, or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var next = pulses.GetOrAdd(key, _ => new Pulse()).Next;
        await Task.WhenAny(next, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
    }

    public IDisposable WatchStream(string stream)
    {
        watchedStreams.AddOrUpdate(stream, 1, (_, count) => count + 1);
        return new Unwatch(() => watchedStreams.AddOrUpdate(stream, 0, (_, count) => count - 1));
    }

    private sealed class Pulse
    {
        private TaskCompletionSource current = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Next => Volatile.Read(ref current).Task;

        public void Fire() =>
            Interlocked.Exchange(ref current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private sealed class Unwatch(Action release) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                release();
            }
        }
    }
}

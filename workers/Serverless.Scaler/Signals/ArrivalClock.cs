using System.Collections.Concurrent;

namespace Serverless.Scaler.Signals;

/// <summary>
/// When work last arrived, per signal key (stream or task queue name), for the work signal's
/// activation window. Arrivals are what the scaler sees happen: a notification, a stream watcher
/// wake-up, a stream's <c>entries-added</c> counter moving between two reads, a task queue's add
/// rate above zero. The clock lives in memory only: after a restart it knows of no arrival until it
/// sees the next one (workers/Serverless.Scaler/README.md says what that costs).
/// </summary>
public sealed class ArrivalClock(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> lastArrival = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> entriesAdded = new(StringComparer.Ordinal);

    public void Arrived(string key) => lastArrival[key] = time.GetTimestamp();

    /// <summary>Strictly within: an arrival exactly <paramref name="window"/> ago no longer counts, and a zero window never does.</summary>
    public bool ArrivedWithin(string key, TimeSpan window) =>
        window > TimeSpan.Zero && lastArrival.TryGetValue(key, out var at) && time.GetElapsedTime(at) < window;

    /// <summary>
    /// A stream's <c>entries-added</c> (XINFO STREAM) as read now. The first reading of a stream only
    /// sets the baseline; a later one that differs, with entries, is an arrival (a counter that went
    /// down means the stream was deleted and created again, and its entries arrived since).
    /// </summary>
    public void ObserveEntriesAdded(string stream, long count)
    {
        while (true)
        {
            if (!entriesAdded.TryGetValue(stream, out var previous))
            {
                if (entriesAdded.TryAdd(stream, count))
                {
                    return;
                }

                continue;
            }

            if (previous == count)
            {
                return;
            }

            if (entriesAdded.TryUpdate(stream, count, previous))
            {
                if (count > 0)
                {
                    Arrived(stream);
                }

                return;
            }
        }
    }
}

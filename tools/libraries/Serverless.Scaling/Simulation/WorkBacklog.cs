namespace Serverless.Scaling.Simulation;

/// <summary>
/// A queue of work seen the way the scalers see it. Items arrive in per-second cohorts (FIFO). Each ready
/// replica holds up to <c>concurrency</c> items at once (Temporal activity slots, a consumer's read batch)
/// and completes up to <c>serviceRate</c> items per second, so one item takes concurrency / serviceRate
/// seconds. Items in flight are not in Temporal's backlog count nor in a Redis group's lag (platform-semantics
/// §3.4, §4.3), but they are the group's pending entries and the workers' used slots (the work signal).
/// An item's queue wait is the time from arrival until a replica takes it. When replicas disappear, the
/// items they still held at the end of a second go back to the head of the queue (redelivery) and count
/// as interrupted.
/// </summary>
public sealed class WorkBacklog
{
    private const double Epsilon = 1e-9;
    private readonly RingDeque<Cohort> cohorts = new();

    /// <summary>Items not taken by any replica: Temporal backlog, Redis lag.</summary>
    public double Waiting { get; private set; }

    /// <summary>
    /// Items a replica took this second and could not finish within it (the service rate was the limit):
    /// they stay in their slots into the next second. Zero while the replicas keep up.
    /// </summary>
    public double Held { get; private set; }

    /// <summary>
    /// Items being served (Redis pending entries, used activity slots), averaged over the last second. By
    /// Little's law that is the items completed per second × the time one takes (concurrency / serviceRate),
    /// and never less than the items still held; at most every slot of the ready replicas.
    /// </summary>
    public double InFlight { get; private set; }

    public double Arrived { get; private set; }

    public double Completed { get; private set; }

    public double Interrupted { get; private set; }

    public WaitHistogram Waits { get; } = new();

    public void Arrive(long now, double items)
    {
        if (items <= 0)
        {
            return;
        }

        Arrived += items;
        Waiting += items;
        if (cohorts.Count > 0 && cohorts.Back.ArrivedAt == now)
        {
            cohorts.Back.Items += items;
        }
        else
        {
            cohorts.PushBack(new Cohort(now, items));
        }
    }

    /// <summary>One second of work by <paramref name="readyReplicas"/> ready replicas.</summary>
    public void Work(long now, int readyReplicas, double serviceRatePerReplica, int concurrencyPerReplica)
    {
        var capacity = (double)readyReplicas * concurrencyPerReplica;
        if (Held > capacity + Epsilon)
        {
            var returned = Held - capacity;
            Held = capacity;
            Interrupted += returned;
            Waiting += returned;
            // Redelivered items rejoin the head; they are treated as old as the current head so the queue stays ordered.
            var since = cohorts.Count > 0 ? Math.Min(now, cohorts.Front.ArrivedAt) : now;
            cohorts.PushFront(new Cohort(since, returned));
        }

        if (Waiting <= Epsilon && Held <= Epsilon)
        {
            InFlight = 0;
            return;
        }

        var total = Held + Waiting;
        var done = Math.Min(total, readyReplicas * serviceRatePerReplica);
        var remaining = total - done;
        var held = Math.Min(remaining, capacity);
        var waiting = remaining - held;
        Take(now, Waiting - waiting);
        Completed += done;
        Held = held;
        InFlight = Math.Max(held, done * concurrencyPerReplica / serviceRatePerReplica);
        Waiting = cohorts.Count == 0 ? 0 : waiting;
    }

    /// <summary>Seconds the oldest waiting item has been waiting.</summary>
    public long OldestWait(long now) => cohorts.Count == 0 ? 0 : now - cohorts.Front.ArrivedAt;

    /// <summary>At the end of a run, items never taken are counted with the wait they have so far.</summary>
    public double Abandon(long now)
    {
        double left = 0;
        while (cohorts.Count > 0)
        {
            var cohort = cohorts.PopFront();
            Waits.Add(now - cohort.ArrivedAt, cohort.Items);
            left += cohort.Items;
        }

        Waiting = 0;
        return left;
    }

    private void Take(long now, double items)
    {
        while (items > Epsilon && cohorts.Count > 0)
        {
            ref var head = ref cohorts.Front;
            var taken = Math.Min(head.Items, items);
            Waits.Add(now - head.ArrivedAt, taken);
            head.Items -= taken;
            items -= taken;
            if (head.Items <= Epsilon)
            {
                cohorts.PopFront();
            }
        }
    }

    private struct Cohort(long arrivedAt, double items)
    {
        public long ArrivedAt = arrivedAt;
        public double Items = items;
    }
}

using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Simulation;

/// <summary>
/// What the queue's scaler reports, by its signal (WORK-SIGNAL-CONTRACT): whole items, as Temporal's
/// approximate_backlog_count, XINFO lag, XPENDING counts and the workers' slot leases are. Backlog reads the
/// items waiting (or, in a stream's pending mode, the entries in flight); work reads waiting + in flight and
/// remembers the last arrival for the activation window.
/// </summary>
internal sealed class QueueSignal(QueuePolicy queue)
{
    private readonly bool work = queue.Signal == ScalingSignal.Work;
    private readonly bool readsPending = queue.Signal == ScalingSignal.Backlog && queue.Source is RedisStreamSource { Metric: StreamMetric.Pending };
    private long? lastArrival;

    /// <summary>The metric in operator words, for explanations.</summary>
    public string MetricName => work ? "outstanding" : readsPending ? "pending" : "backlog";

    public void Observe(long now, double arrived)
    {
        if (arrived > 0)
        {
            lastArrival = now;
        }
    }

    public double Metric(WorkBacklog backlog)
    {
        var items = work ? backlog.Waiting + backlog.InFlight : readsPending ? backlog.InFlight : backlog.Waiting;
        return Math.Max(0, Math.Ceiling(items - 1e-9));
    }

    /// <summary>An item arrived in the last <see cref="QueuePolicy.ActivationWindowSeconds"/> seconds (this one included).</summary>
    public bool ArrivedWithinWindow(long now) =>
        work && lastArrival is { } last && now - last < queue.ActivationWindowSeconds;
}

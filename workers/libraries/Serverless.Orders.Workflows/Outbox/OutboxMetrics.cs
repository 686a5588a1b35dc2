using System.Diagnostics.Metrics;

namespace Serverless.Orders.Outbox;

/// <summary>
/// The relay's meter: queue depth and oldest-row age (what the <c>OrderOutboxBacklogOld</c> alert
/// watches; exported as <c>serverless_order_outbox_queued</c> and <c>serverless_order_outbox_oldest_age_seconds</c>),
/// and the outcome of every start (<c>serverless_order_outbox_relayed_total{outcome}</c>).
/// </summary>
public sealed class OutboxMetrics : IDisposable
{
    public const string MeterName = "Serverless.Orders.Outbox";

    private readonly Meter meter;
    private readonly Counter<long> relayed;
    private OutboxBacklog backlog = new(0, TimeSpan.Zero);

    public OutboxMetrics(IMeterFactory meters)
    {
        meter = meters.Create(MeterName);
        relayed = meter.CreateCounter<long>("serverless.order_outbox.relayed", "{order}", "Starts of queued orders, by outcome");
        meter.CreateObservableGauge("serverless.order_outbox.queued", () => Volatile.Read(ref backlog).Queued, "{order}", "Orders queued in the outbox, not started yet");
        meter.CreateObservableGauge("serverless.order_outbox.oldest_age", () => Volatile.Read(ref backlog).OldestAge.TotalSeconds, "s", "Age of the oldest queued order");
    }

    public void Observe(OutboxBacklog current) => Volatile.Write(ref backlog, current);

    public void Relayed(StartOutcome outcome) =>
        relayed.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));

    public void Dispose() => meter.Dispose();
}

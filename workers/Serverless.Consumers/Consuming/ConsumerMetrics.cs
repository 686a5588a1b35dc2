using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Serverless.Consumers.Consuming;

/// <summary>
/// What a consumer reports: processed, ignored, failed, dead-lettered, redelivered and handed-off entries, handler
/// latency, and lag and pending as the group sees them (<c>XINFO GROUPS</c>).
/// </summary>
public sealed class ConsumerMetrics : IDisposable
{
    public const string MeterName = "Serverless.Consumers";

    private readonly Meter meter;
    private readonly Counter<long> processed;
    private readonly Counter<long> ignored;
    private readonly Counter<long> failed;
    private readonly Counter<long> deadLettered;
    private readonly Counter<long> redelivered;
    private readonly Counter<long> handedOff;
    private readonly Histogram<double> latency;
    private readonly ConcurrentDictionary<(string Stream, string Group), (long Lag, long Pending)> backlog = new();

    public ConsumerMetrics(IMeterFactory meters)
    {
        meter = meters.Create(MeterName);
        processed = meter.CreateCounter<long>("serverless.consumer.processed", "{event}", "Entries whose effect is committed (duplicates included)");
        ignored = meter.CreateCounter<long>("serverless.consumer.ignored", "{event}", "CloudEvents acknowledged without effect: not the handler's business (e.g. an ordinary Dapr app's event)");
        failed = meter.CreateCounter<long>("serverless.consumer.failed", "{event}", "Handler attempts that failed (the entry is dead-lettered or stays pending, per Consumer:OnHandlerError)");
        deadLettered = meter.CreateCounter<long>("serverless.consumer.dead_lettered", "{event}", "Entries moved to the dead-letter stream");
        redelivered = meter.CreateCounter<long>("serverless.consumer.redelivered", "{event}", "Entries handled on a second or later delivery");
        handedOff = meter.CreateCounter<long>("serverless.consumer.handed_off", "{event}", "Entries still pending when this consumer stopped, passed to a live consumer (kept=false) or kept under its name for the next one (kept=true)");
        latency = meter.CreateHistogram<double>("serverless.consumer.handler.duration", "s", "Time to handle one entry, inbox transaction included");
        meter.CreateObservableGauge("serverless.consumer.lag", () => Observe(b => b.Lag), "{event}", "Entries not yet delivered to the group");
        meter.CreateObservableGauge("serverless.consumer.pending", () => Observe(b => b.Pending), "{event}", "Entries delivered but not acknowledged");
    }

    public void Processed(string stream, string group, string type, bool duplicate) =>
        processed.Add(1, new TagList { { "stream", stream }, { "group", group }, { "type", type }, { "duplicate", duplicate } });

    public void Ignored(string stream, string group, string type) =>
        ignored.Add(1, new TagList { { "stream", stream }, { "group", group }, { "type", type } });

    public void Failed(string stream, string group) => failed.Add(1, new TagList { { "stream", stream }, { "group", group } });

    public void DeadLettered(string stream, string group, string reason) =>
        deadLettered.Add(1, new TagList { { "stream", stream }, { "group", group }, { "reason", reason } });

    public void Redelivered(string stream, string group) => redelivered.Add(1, new TagList { { "stream", stream }, { "group", group } });

    public void HandedOff(string stream, string group, int count, bool kept) =>
        handedOff.Add(count, new TagList { { "stream", stream }, { "group", group }, { "kept", kept } });

    public void HandlerTook(string stream, string group, TimeSpan elapsed) =>
        latency.Record(elapsed.TotalSeconds, new TagList { { "stream", stream }, { "group", group } });

    public void Backlog(string stream, string group, long lag, long pending) => backlog[(stream, group)] = (lag, pending);

    public void Dispose() => meter.Dispose();

    private IEnumerable<Measurement<long>> Observe(Func<(long Lag, long Pending), long> pick) =>
        backlog.Select(b => new Measurement<long>(pick(b.Value), new KeyValuePair<string, object?>("stream", b.Key.Stream), new KeyValuePair<string, object?>("group", b.Key.Group)));
}

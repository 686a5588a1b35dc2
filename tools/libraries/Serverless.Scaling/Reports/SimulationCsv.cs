using System.Globalization;
using System.Text;
using Serverless.Scaling.Simulation;

namespace Serverless.Scaling.Reports;

/// <summary>
/// CSV output of a simulation. Series rows cover <c>step</c> seconds each: arrivals are summed over the
/// step, every other column is the step's maximum (with step 1 the values are exact).
/// </summary>
public static class SimulationCsv
{
    public const string SeriesHeader = "policy,environment,queue,second,arrivals,backlog,in_flight,oldest_wait_s,replicas,ready_replicas";

    public const string SummaryHeader = "policy,environment,queue,items,unserved,p50_wait_s,p95_wait_s,p99_wait_s,max_wait_s,peak_backlog,peak_backlog_at_s,drain_s,"
        + "replica_seconds,peak_replicas,slo_wait_s,slo_breached_items,slo_breach_pct,interrupted_items,scale_changes,seconds_at_zero";

    public static string Series(IEnumerable<(string Label, string Environment, QueueRun Run)> runs, int step)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        var text = new StringBuilder(SeriesHeader).Append('\n');
        foreach (var (label, environment, run) in runs)
        {
            var s = run.Series;
            for (var start = 0; start < s.Length; start += step)
            {
                var end = Math.Min(start + step, s.Length);
                double arrivals = 0;
                float backlog = 0, inFlight = 0;
                int wait = 0, replicas = 0, ready = 0;
                for (var i = start; i < end; i++)
                {
                    arrivals += s.Arrivals[i];
                    backlog = Math.Max(backlog, s.Backlog[i]);
                    inFlight = Math.Max(inFlight, s.InFlight[i]);
                    wait = Math.Max(wait, s.OldestWait[i]);
                    replicas = Math.Max(replicas, s.Replicas[i]);
                    ready = Math.Max(ready, s.ReadyReplicas[i]);
                }

                text.Append(CultureInfo.InvariantCulture,
                    $"{Cell(label)},{environment},{run.Queue.Name},{start},{N(arrivals)},{N(backlog)},{N(inFlight)},{wait},{replicas},{ready}\n");
            }
        }

        return text.ToString();
    }

    public static string Summary(IEnumerable<PolicyRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new StringBuilder(SummaryHeader).Append('\n');
        foreach (var run in runs)
        {
            foreach (var queue in run.Queues)
            {
                var s = queue.Summary;
                text.Append(CultureInfo.InvariantCulture,
                    $"{Cell(run.Label)},{run.Environment.Name},{queue.Queue.Name},{N(s.ItemsArrived)},{N(s.ItemsUnserved)},{s.P50WaitSeconds},{s.P95WaitSeconds},{s.P99WaitSeconds},{s.MaxWaitSeconds},"
                    + $"{N(s.PeakBacklog)},{s.PeakBacklogAt},{s.DrainSeconds?.ToString(CultureInfo.InvariantCulture) ?? string.Empty},{s.ReplicaSeconds},{s.PeakReplicas},{s.SloWaitSeconds},"
                    + $"{N(s.SloBreachedItems)},{N(s.SloBreachFraction * 100)},{N(s.InterruptedItems)},{s.ScaleChanges},{s.SecondsAtZero}\n");
            }
        }

        return text.ToString();
    }

    private static string N(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Cell(string value) =>
        value.IndexOfAny([',', '"', '\n']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}

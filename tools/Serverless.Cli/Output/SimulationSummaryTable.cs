using System.Globalization;
using Serverless.Scaling.Simulation;
using Spectre.Console;

namespace Serverless.Cli.Output;

/// <summary>The terminal summary of a simulation: one row per queue (and per policy when comparing).</summary>
internal static class SimulationSummaryTable
{
    public static void Write(IAnsiConsole console, IReadOnlyList<PolicyRun> runs)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(runs);
        var comparing = runs.Count > 1;
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("queue");
        if (comparing)
        {
            table.AddColumn("policy");
        }

        foreach (var column in new[] { "items", "p50/p95/p99 wait", "max wait", "peak backlog", "drain", "peak replicas", "replica-h", "SLO (p99 ≤)", "breached" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        var names = runs.SelectMany(r => r.Queues).Select(q => q.Queue.Name).Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            foreach (var run in runs)
            {
                if (run.Queues.FirstOrDefault(q => q.Queue.Name == name) is not { } queue)
                {
                    continue;
                }

                var s = queue.Summary;
                var cells = new List<string> { Markup.Escape(name) };
                if (comparing)
                {
                    cells.Add(Markup.Escape(run.Label));
                }

                cells.Add(N(s.ItemsArrived));
                cells.Add($"{s.P50WaitSeconds}/{s.P95WaitSeconds}/{s.P99WaitSeconds} s");
                cells.Add($"{s.MaxWaitSeconds} s");
                cells.Add(N(s.PeakBacklog));
                cells.Add(s.DrainSeconds is { } drain ? Durations.Format(drain) : s.PeakBacklog > 0 ? "[red]never[/]" : "-");
                cells.Add(s.PeakReplicas.ToString(CultureInfo.InvariantCulture));
                cells.Add(s.ReplicaHours.ToString("0.0", CultureInfo.InvariantCulture));
                cells.Add(s.MeetsSlo ? $"[green]{s.SloWaitSeconds} s ok[/]" : $"[red]{s.SloWaitSeconds} s missed[/]");
                cells.Add(s.SloBreachedItems > 0 ? $"{N(s.SloBreachedItems)} ({s.SloBreachFraction * 100:0.##} %)" : "0");
                table.AddRow(cells.ToArray());
            }
        }

        console.Write(table);
        foreach (var run in runs)
        {
            var interrupted = run.Queues.Where(q => q.Summary.InterruptedItems > 0).ToList();
            foreach (var queue in interrupted)
            {
                console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[yellow]{run.Label}/{queue.Queue.Name}: {queue.Summary.InterruptedItems:0} item(s) were held by replicas that were removed: they finish only if the pod drains within its grace period, else they are redelivered.[/]");
            }
        }
    }

    private static string N(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}

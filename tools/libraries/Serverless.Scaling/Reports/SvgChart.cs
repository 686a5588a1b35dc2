using System.Globalization;
using System.Net;
using System.Text;
using Serverless.Scaling.Simulation;

namespace Serverless.Scaling.Reports;

/// <summary>
/// One self-contained SVG per queue: replicas (solid: spec, dotted: ready), backlog, and the oldest item's
/// wait against the SLO, over time; one colour per policy when comparing, each labelled with its summary.
/// Long runs are thinned to one point per slice of seconds: the slice's maximum, and for ready replicas its
/// minimum, so peaks and drops to zero stay visible. Opens in any browser.
/// </summary>
public static class SvgChart
{
    private const int Width = 960;
    private const int Left = 72;
    private const int Right = 24;
    private const int Top = 84;
    private const int PanelHeight = 160;
    private const int PanelGap = 44;
    private const int MaxPoints = 1200;
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"];
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(string title, IReadOnlyList<(string Label, QueueRun Run)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var length = Math.Max(1, runs.Max(r => r.Run.Series.Length));
        var slo = runs.Count > 0 ? runs[0].Run.Queue.Slo.QueueWaitSeconds : 0;
        var height = Top + (3 * (PanelHeight + PanelGap)) + 10;
        var svg = new StringBuilder();
        svg.Append(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(Invariant, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(Invariant, $"<text x=\"{Left}\" y=\"24\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>\n");
        for (var i = 0; i < runs.Count; i++)
        {
            var y = 42 + (i * 16);
            var s = runs[i].Run.Summary;
            var legend = string.Create(Invariant, $"{runs[i].Label}: p99 wait {s.P99WaitSeconds} s (SLO {s.SloWaitSeconds} s), peak backlog {s.PeakBacklog:0}, at most {s.PeakReplicas} replica(s), {s.ReplicaHours:0.#} replica-hours");
            svg.Append(Invariant, $"<line x1=\"{Left}\" y1=\"{y - 4}\" x2=\"{Left + 24}\" y2=\"{y - 4}\" stroke=\"{Colors[i % Colors.Length]}\" stroke-width=\"2\"/>");
            svg.Append(Invariant, $"<text x=\"{Left + 30}\" y=\"{y}\">{Escape(legend)}</text>\n");
        }

        Panel(svg, 0, "Replicas (solid: requested, dotted: ready)", length, runs, r => r.Series.Replicas.Select(v => (double)v).ToArray(), r => r.Series.ReadyReplicas.Select(v => (double)v).ToArray(), null);
        Panel(svg, 1, "Backlog: items waiting for a replica", length, runs, r => r.Series.Backlog.Select(v => (double)v).ToArray(), null, null);
        Panel(svg, 2, $"Oldest item's wait (s); dashed: SLO {slo} s", length, runs, r => r.Series.OldestWait.Select(v => (double)v).ToArray(), null, slo);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(
        StringBuilder svg,
        int index,
        string caption,
        int length,
        IReadOnlyList<(string Label, QueueRun Run)> runs,
        Func<QueueRun, double[]> main,
        Func<QueueRun, double[]>? secondary,
        double? referenceLine)
    {
        var top = Top + (index * (PanelHeight + PanelGap));
        var plotWidth = Width - Left - Right;
        var series = runs.Select(r => (Main: main(r.Run), Secondary: secondary?.Invoke(r.Run))).ToList();
        var max = series.SelectMany(s => s.Main.Concat(s.Secondary ?? [])).DefaultIfEmpty(0).Max();
        var yMax = NiceCeiling(Math.Max(max, referenceLine ?? 0) * 1.05);

        svg.Append(Invariant, $"<text x=\"{Left}\" y=\"{top - 8}\" font-weight=\"bold\">{Escape(caption)}</text>\n");
        svg.Append(Invariant, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{plotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#999\"/>\n");
        for (var g = 0; g <= 4; g++)
        {
            var value = yMax * g / 4;
            var y = top + PanelHeight - (PanelHeight * g / 4.0);
            svg.Append(Invariant, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#eee\"/>");
            svg.Append(Invariant, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{value:0.##}</text>\n");
        }

        var tick = TickSeconds(length);
        for (var t = 0L; t <= length; t += tick)
        {
            var x = Left + (plotWidth * (double)t / length);
            svg.Append(Invariant, $"<line x1=\"{x:0.#}\" y1=\"{top + PanelHeight}\" x2=\"{x:0.#}\" y2=\"{top + PanelHeight + 4}\" stroke=\"#999\"/>");
            svg.Append(Invariant, $"<text x=\"{x:0.#}\" y=\"{top + PanelHeight + 16}\" text-anchor=\"middle\">{(length >= 3600 ? Durations.Clock(t)[..5] : Durations.Format(t))}</text>\n");
        }

        if (referenceLine is { } reference)
        {
            var y = top + PanelHeight - (PanelHeight * reference / yMax);
            svg.Append(Invariant, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>\n");
        }

        for (var i = 0; i < series.Count; i++)
        {
            var color = Colors[i % Colors.Length];
            Polyline(svg, series[i].Main, length, yMax, top, plotWidth, color, null, Math.Max);
            if (series[i].Secondary is { } second)
            {
                Polyline(svg, second, length, yMax, top, plotWidth, color, "2 3", Math.Min);
            }
        }
    }

    /// <summary>Draws at most <see cref="MaxPoints"/> points, each the <paramref name="pick"/> of its slice.</summary>
    private static void Polyline(StringBuilder svg, double[] values, int length, double yMax, int top, int plotWidth, string color, string? dash, Func<double, double, double> pick)
    {
        if (values.Length == 0)
        {
            return;
        }

        var bucket = Math.Max(1, (int)Math.Ceiling(values.Length / (double)MaxPoints));
        svg.Append(Invariant, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"{(dash is null ? string.Empty : $" stroke-dasharray=\"{dash}\"")} points=\"");
        for (var start = 0; start < values.Length; start += bucket)
        {
            var peak = values[start];
            for (var i = start + 1; i < Math.Min(start + bucket, values.Length); i++)
            {
                peak = pick(peak, values[i]);
            }

            var x = Left + (plotWidth * (double)start / length);
            var y = top + PanelHeight - (PanelHeight * peak / yMax);
            svg.Append(Invariant, $"{x:0.#},{y:0.#} ");
        }

        svg.Append("\"/>\n");
    }

    private static long TickSeconds(int length)
    {
        long[] steps = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600];
        return steps.FirstOrDefault(s => length / s <= 12, 43200);
    }

    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        var normalized = value / magnitude;
        var nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}

using System.Globalization;
using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Traffic;

/// <summary>
/// Reads an arrival trace: a header <c>second,&lt;column&gt;...</c> where a column is <c>orders</c> (fanned out to
/// every queue) or a queue name (items for that queue only), then one row per second that has arrivals.
/// Missing seconds have none; repeated seconds add up; '#' starts a comment line.
/// </summary>
public static class CsvTrace
{
    public const string SecondColumn = "second";
    public const string OrdersColumn = "orders";

    /// <summary>At most a week at one-second steps keeps a run's memory bounded.</summary>
    public const int MaxSeconds = 7 * GeneratedDay.SecondsPerDay;

    public static (ArrivalTrace? Trace, IReadOnlyList<Diagnostic> Problems) Parse(string text, string file, IReadOnlyCollection<string> queueNames)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(queueNames);
        var problems = new DiagnosticBag();
        var lines = text.Split('\n');
        string[]? header = null;
        var headerRead = false;
        var rows = new List<(int Second, double[] Values)>();
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index].Trim();
            var lineNumber = index + 1;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var cells = line.Split(',').Select(c => c.Trim()).ToArray();
            if (!headerRead)
            {
                header = CheckHeader(cells, file, lineNumber, queueNames, problems);
                headerRead = true;
                continue;
            }

            if (header is null)
            {
                break;
            }

            if (ParseRow(cells, header, file, lineNumber, problems) is { } row)
            {
                rows.Add(row);
            }
        }

        if (!headerRead)
        {
            problems.Error("trace-format", new SourceLocation(file, 1, 1), "header", "the trace is empty",
                $"start with a header like '{SecondColumn},{OrdersColumn}' followed by one row per second");
        }

        if (problems.HasErrors || header is null)
        {
            return (null, problems.Sorted());
        }

        var seconds = rows.Count == 0 ? 1 : rows.Max(r => r.Second) + 1;
        var columns = header.Skip(1).Select(_ => new double[seconds]).ToArray();
        foreach (var (second, values) in rows)
        {
            for (var c = 0; c < values.Length; c++)
            {
                columns[c][second] += values[c];
            }
        }

        double[]? orders = null;
        var items = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (var c = 0; c < columns.Length; c++)
        {
            if (header[c + 1] == OrdersColumn)
            {
                orders = columns[c];
            }
            else
            {
                items[header[c + 1]] = columns[c];
            }
        }

        return (new ArrivalTrace(seconds, orders, items, $"trace {file}: {seconds} s"), problems.Sorted());
    }

    private static string[]? CheckHeader(string[] cells, string file, int line, IReadOnlyCollection<string> queueNames, DiagnosticBag problems)
    {
        if (cells.Length < 2 || cells[0] != SecondColumn)
        {
            problems.Error("trace-format", new SourceLocation(file, line, 1), "header", $"the header must start with '{SecondColumn}' and name at least one column",
                $"use '{SecondColumn},{OrdersColumn}' or '{SecondColumn},<queue>,...' with queue names from the policy");
            return null;
        }

        var valid = true;
        for (var i = 1; i < cells.Length; i++)
        {
            if (cells[i] != OrdersColumn && !queueNames.Contains(cells[i]))
            {
                problems.Error("trace-format", new SourceLocation(file, line, Column(cells, i)), cells[i], $"column '{cells[i]}' is neither '{OrdersColumn}' nor a queue of the policy",
                    $"use '{OrdersColumn}' or one of: {string.Join(", ", queueNames)}");
                valid = false;
            }
            else if (Array.IndexOf(cells, cells[i], 1) != i)
            {
                problems.Error("trace-format", new SourceLocation(file, line, Column(cells, i)), cells[i], $"column '{cells[i]}' appears twice", "keep one column per name");
                valid = false;
            }
        }

        return valid ? cells : null;
    }

    private static (int, double[])? ParseRow(string[] cells, string[] header, string file, int line, DiagnosticBag problems)
    {
        if (cells.Length != header.Length)
        {
            problems.Error("trace-format", new SourceLocation(file, line, 1), "row", $"expected {header.Length} values, found {cells.Length}", "give every row one value per header column");
            return null;
        }

        if (!int.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out var second) || second >= MaxSeconds)
        {
            problems.Error("trace-format", new SourceLocation(file, line, 1), SecondColumn, $"'{cells[0]}' is not a second between 0 and {MaxSeconds - 1}",
                "write the whole number of seconds since the start of the trace");
            return null;
        }

        var values = new double[header.Length - 1];
        for (var i = 1; i < cells.Length; i++)
        {
            if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || !double.IsFinite(value))
            {
                problems.Error("trace-format", new SourceLocation(file, line, Column(cells, i)), header[i], $"'{cells[i]}' is not a non-negative number",
                    "write the count of arrivals in that second, e.g. 3");
                return null;
            }

            values[i - 1] = value;
        }

        return (second, values);
    }

    private static int Column(string[] cells, int index) => cells.Take(index).Sum(c => c.Length + 1) + 1;
}

namespace Serverless.Scaling.Policy;

public enum Severity
{
    Error,
    Warning,
}

/// <summary>
/// A finding about the policy: where it is, which field, what is wrong in the operator's terms, and how to
/// fix it. <see cref="Environment"/> is set when the finding only holds for one environment's settings.
/// </summary>
public sealed record Diagnostic(
    Severity Severity,
    string Code,
    SourceLocation Location,
    string Field,
    string Message,
    string? Fix = null,
    string? Environment = null)
{
    public override string ToString()
    {
        var scope = Environment is null ? string.Empty : $" [{Environment}]";
        var head = $"{Location}: {(Severity == Severity.Error ? "error" : "warning")} {Code} {Field}{scope}: {Message}";
        return Fix is null ? head : $"{head}{System.Environment.NewLine}    fix: {Fix}";
    }
}

/// <summary>Collects findings once each: the same base-file problem seen through every environment is one finding.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> items = [];
    private readonly HashSet<(string, int, int, string, string, string?)> seen = [];

    public IReadOnlyList<Diagnostic> Items => items;

    public bool HasErrors => items.Exists(d => d.Severity == Severity.Error);

    public void Add(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var key = (diagnostic.Location.File, diagnostic.Location.Line, diagnostic.Location.Column, diagnostic.Code, diagnostic.Message, diagnostic.Environment);
        if (seen.Add(key))
        {
            items.Add(diagnostic);
        }
    }

    public void Error(string code, SourceLocation location, string field, string message, string? fix = null, string? environment = null) =>
        Add(new Diagnostic(Severity.Error, code, location, field, message, fix, environment));

    public void Warning(string code, SourceLocation location, string field, string message, string? fix = null, string? environment = null) =>
        Add(new Diagnostic(Severity.Warning, code, location, field, message, fix, environment));

    /// <summary>Errors first, then by file position, so output reads top to bottom.</summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        [.. items.OrderBy(d => d.Severity).ThenBy(d => d.Location.File, StringComparer.Ordinal)
            .ThenBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ThenBy(d => d.Environment, StringComparer.Ordinal)];
}

using System.CommandLine;
using Serverless.Scaling.Policy;
using Spectre.Console;

namespace Serverless.Cli.Output;

/// <summary>
/// Terminal output of one invocation, written to the invocation's writers (the console, or a
/// <see cref="StringWriter"/> in tests). Colour only when the writer is a terminal.
/// </summary>
internal sealed class CliOutput
{
    private const int WidthWhenRedirected = 160;

    private CliOutput(IAnsiConsole stdout, IAnsiConsole stderr)
    {
        Out = stdout;
        Error = stderr;
    }

    public IAnsiConsole Out { get; }

    public IAnsiConsole Error { get; }

    public static CliOutput For(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var configuration = parseResult.InvocationConfiguration;
        return new CliOutput(Create(configuration.Output), Create(configuration.Error));
    }

    public void Line(string text = "") => Out.WriteLine(text);

    public void Problem(string text) => Error.MarkupLineInterpolated($"[red]{text}[/]");

    public void Diagnostics(IEnumerable<Diagnostic> diagnostics, bool toError = false)
    {
        var console = toError ? Error : Out;
        foreach (var diagnostic in diagnostics)
        {
            var color = diagnostic.Severity == Severity.Error ? "red" : "yellow";
            var label = diagnostic.Severity == Severity.Error ? "error" : "warning";
            var scope = diagnostic.Environment is null ? string.Empty : $" [[{diagnostic.Environment}]]";
            console.MarkupLine($"{Markup.Escape(diagnostic.Location.ToString())}: [{color}]{label}[/] {Markup.Escape(diagnostic.Code)} [bold]{Markup.Escape(diagnostic.Field)}[/]{scope}: {Markup.Escape(diagnostic.Message)}");
            if (diagnostic.Fix is not null)
            {
                console.MarkupLine($"    [dim]fix:[/] {Markup.Escape(diagnostic.Fix)}");
            }
        }
    }

    private static IAnsiConsole Create(TextWriter writer)
    {
        var isConsole = ReferenceEquals(writer, Console.Out) || ReferenceEquals(writer, Console.Error);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = isConsole ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isConsole ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!isConsole || Console.IsOutputRedirected)
        {
            console.Profile.Width = WidthWhenRedirected;
        }

        return console;
    }
}

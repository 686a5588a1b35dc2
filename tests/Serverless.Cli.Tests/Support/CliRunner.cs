using System.CommandLine;

namespace Serverless.Cli.Tests.Support;

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}

/// <summary>Runs the real command tree in-process with captured output.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await ServerlessCommandLine.Build().Parse(args).InvokeAsync(
            new InvocationConfiguration { Output = output, Error = error },
            TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

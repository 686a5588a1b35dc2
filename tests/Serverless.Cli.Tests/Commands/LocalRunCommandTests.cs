using Serverless.Cli.Tests.Support;
using Serverless.Local.Embedded;
using Serverless.Testing;
using Serverless.Testing.Policy;
using Serverless.Testing.Processes;

namespace Serverless.Cli.Tests.Commands;

/// <summary><c>serverless up</c> and <c>serverless load</c> when something they need is missing.</summary>
public sealed class LocalRunCommandTests
{
    [Fact]
    public async Task Up_TemporalAddressNobodyAnswers_OneClearMessageAndNothingLeftRunning()
    {
        var redis = Engines.RequireRedis();
        var temporal = $"127.0.0.1:{HostTools.FreePort()}";
        var before = RepoPaths.ProcessesWithCommandLineContaining(UpWorkFolder);

        var result = await CliRunner.RunAsync("up", "--policy", RepositoryLayout.PolicyPath, "--temporal", temporal, "--redis", redis);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"Temporal: nothing answers at {temporal}", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was left running", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, RepoPaths.ProcessesWithCommandLineContaining(UpWorkFolder));
    }

    [Fact]
    public async Task Up_UnknownEnvironment_SaysWhichExist()
    {
        var result = await CliRunner.RunAsync("up", "--policy", RepositoryLayout.PolicyPath, "--environment", "qa");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("environment 'qa' is not in", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_NoApiAndBadRate_ExplainsBoth()
    {
        var result = await CliRunner.RunAsync("load", "--rate", "0", "--url", "http://127.0.0.1:1/");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--rate must be between 0 and 100000", result.Error, StringComparison.Ordinal);
        Assert.Contains("pass --url and --api-key", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Prefix of `serverless up`'s work folder, on the command line of everything it starts (redis-server, postgres, our hosts).</summary>
    private const string UpWorkFolder = "serverless-up-";
}

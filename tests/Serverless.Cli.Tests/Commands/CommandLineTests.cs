using Serverless.Cli.Tests.Support;
using Serverless.Testing.Policy;

namespace Serverless.Cli.Tests.Commands;

/// <summary>The real command tree, in-process, against the checked-in policy and temporary copies.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("serverless-cli-");

    public void Dispose() => temp.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(temp.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Lint_CheckedInPolicy_ExitsZeroWithoutFindings()
    {
        var result = await CliRunner.RunAsync("scalers", "lint", "--policy", RepositoryLayout.PolicyPath);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("0 error(s), 0 warning(s)", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("scale-to-zero-under-load", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_BacklogSignal_ExitsZeroWithAScaleToZeroWarningPerProdPoolAtFloorZero()
    {
        // Four when written (payments, inventory, notifications, order-projection); one more per pool added at floor 0.
        var sleepers = PolicyText.Valid(PolicyText.Backlog).Find("prod")!.Queues.Count(q => q.Scaling.MinReplicas == 0);

        var result = await CliRunner.RunAsync("scalers", "lint", "--policy", Write("backlog.yaml", PolicyText.Backlog));

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.True(sleepers >= 4, $"{sleepers} prod pools at floor 0");
        Assert.Contains($"0 error(s), {sleepers} warning(s)", result.Output, StringComparison.Ordinal);
        Assert.Contains("warning scale-to-zero-under-load", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_PolicyWithErrors_PrintsFileLineFieldAndExitsOne()
    {
        var path = Write("broken.yaml", PolicyText.Replace("    maxReplicas: 16\n", "    maxReplica: 16\n"));
        var line = PolicyText.LineOf(File.ReadAllText(path), "maxReplica: 16");

        var result = await CliRunner.RunAsync("scalers", "lint", "--policy", path);

        Assert.Equal(ExitCodes.Findings, result.ExitCode);
        Assert.Contains($"broken.yaml:{line}:5: error unknown-field queues.payments.maxReplica", result.Output, StringComparison.Ordinal);
        Assert.Contains("fix: did you mean 'maxReplicas'?", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_MissingFile_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("scalers", "lint", "--policy", Path.Combine(temp.FullName, "nope.yaml"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
    }

    [Fact]
    public async Task RenderCheck_CheckedInManifests_ExitsZero()
    {
        var result = await CliRunner.RunAsync("scalers", "render", "--check", "--policy", RepositoryLayout.PolicyPath);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
    }

    [Fact]
    public async Task Render_IntoAnEmptyDirectory_WritesThenCheckPassesAndStaleFilesGo()
    {
        var output = Path.Combine(temp.FullName, "scaling");

        var before = await CliRunner.RunAsync("scalers", "render", "--check", "--policy", RepositoryLayout.PolicyPath, "--out", output);
        var render = await CliRunner.RunAsync("scalers", "render", "--policy", RepositoryLayout.PolicyPath, "--out", output);
        File.WriteAllText(Path.Combine(output, "prod", "retired-queue.yaml"), "kind: ScaledObject\n");
        var stale = await CliRunner.RunAsync("scalers", "render", "--check", "--policy", RepositoryLayout.PolicyPath, "--out", output);
        await CliRunner.RunAsync("scalers", "render", "--policy", RepositoryLayout.PolicyPath, "--out", output);
        var after = await CliRunner.RunAsync("scalers", "render", "--check", "--policy", RepositoryLayout.PolicyPath, "--out", output);

        Assert.Equal(ExitCodes.Findings, before.ExitCode);
        Assert.Contains("missing:", before.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, render.ExitCode);
        Assert.Equal(
            Directory.GetFiles(Path.Combine(RepositoryLayout.RenderedRoot, "prod")).Select(Path.GetFileName).Order(),
            Directory.GetFiles(Path.Combine(output, "prod")).Select(Path.GetFileName).Order());
        Assert.Equal(ExitCodes.Findings, stale.ExitCode);
        Assert.Contains("stale:", stale.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, after.ExitCode);
        Assert.False(File.Exists(Path.Combine(output, "prod", "retired-queue.yaml")));
    }

    [Fact]
    public async Task Render_PolicyWithLintErrors_RefusesAndExitsOne()
    {
        var path = Write("scalers.yaml", PolicyText.Replace("rateBudgetPerSecond: 5", "rateBudgetPerSecond: 0.1"));

        var result = await CliRunner.RunAsync("scalers", "render", "--policy", path, "--out", Path.Combine(temp.FullName, "out"));

        Assert.Equal(ExitCodes.Findings, result.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(temp.FullName, "out")));
    }

    [Fact]
    public async Task Explain_Queue_PrintsTimelineAndSummary()
    {
        var result = await CliRunner.RunAsync("scalers", "explain", "payments", "--environment", "dev", "--items", "200", "--policy", RepositoryLayout.PolicyPath);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("200 items arrive at once", result.Output, StringComparison.Ordinal);
        Assert.Contains("Wake-up:", result.Output, StringComparison.Ordinal);
        Assert.Contains("Cost:", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_UnknownQueue_ExitsTwoAndListsTheQueues()
    {
        var result = await CliRunner.RunAsync("scalers", "explain", "billing", "--policy", RepositoryLayout.PolicyPath);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("order-projection", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_Trace_WritesSummaryCsvAndChartPerQueue()
    {
        var trace = Write("trace.csv", "second,orders\n" + string.Join('\n', Enumerable.Range(0, 600).Select(s => $"{s},{(s is >= 100 and < 200 ? 15 : 1)}")) + "\n");
        var output = Path.Combine(temp.FullName, "sim");

        var result = await CliRunner.RunAsync("simulate", "--policy", RepositoryLayout.PolicyPath, "--trace", trace, "--out", output, "--queue", "payments", "--queue", "inventory");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("payments", result.Output, StringComparison.Ordinal);
        Assert.Equal(["inventory.csv", "inventory.svg", "payments.csv", "payments.svg", "summary.csv"], Directory.GetFiles(output).Select(Path.GetFileName).Order());
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(output, "payments.svg")), StringComparison.Ordinal);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(output, "summary.csv")).Length);
    }

    [Fact]
    public async Task Simulate_Compare_RunsBothPoliciesOnTheSameArrivals()
    {
        var floor = Write("floor.yaml", PolicyText.CheckedIn + PolicyText.ProdFloorOfOne("payments"));
        var output = Path.Combine(temp.FullName, "compare");

        var result = await CliRunner.RunAsync("simulate", "--compare", floor, RepositoryLayout.PolicyPath, "--queue", "payments", "--out", output);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var summary = File.ReadAllLines(Path.Combine(output, "summary.csv"));
        Assert.Equal(["floor", "scalers"], summary.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal(summary[1].Split(',')[3], summary[2].Split(',')[3]);
        Assert.Contains("stroke=\"#ff7f0e\"", File.ReadAllText(Path.Combine(output, "payments.svg")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_CompareSignals_RunsTheSameQueuesOnBacklogAndOnWork()
    {
        var output = Path.Combine(temp.FullName, "signals");

        var result = await CliRunner.RunAsync("simulate", "--compare-signals", "--policy", RepositoryLayout.PolicyPath,
            "--trace", RepositoryLayout.IdleHourTracePath, "--queue", "payments", "--out", output);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Matches("payments +│ backlog", result.Output);
        Assert.Matches("payments +│ work", result.Output);
        var summary = File.ReadAllLines(Path.Combine(output, "summary.csv"));
        Assert.Equal(["backlog", "work"], summary.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal(summary[1].Split(',')[3], summary[2].Split(',')[3]);
    }

    [Fact]
    public async Task Simulate_CompareSignalsWithCompare_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("simulate", "--compare-signals", "--compare", RepositoryLayout.PolicyPath, RepositoryLayout.PolicyPath,
            "--out", Path.Combine(temp.FullName, "x"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--compare-signals", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_BadTrace_ReportsTheLineAndExitsTwo()
    {
        var trace = Write("bad.csv", "second,orders\n0,1\n1,minus\n");

        var result = await CliRunner.RunAsync("simulate", "--policy", RepositoryLayout.PolicyPath, "--trace", trace, "--out", Path.Combine(temp.FullName, "x"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("bad.csv:3:", result.Error, StringComparison.Ordinal);
    }
}

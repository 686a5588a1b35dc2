using Serverless.Local.Processes;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using Serverless.Testing.Processes;

namespace Serverless.Orders.Tests.Outbox;

/// <summary>
/// The relay host executable (the real relay, the recording seam) SIGKILLed at random points while it
/// works through a thousand queued orders, then left to finish: every order started, none twice.
/// </summary>
public sealed class RelayCrashTests(SharedPostgres postgres)
{
    private const int Orders = 1000;
    private const int Kills = 6;

    private static string RelayHost => Path.Combine(
        RepoPaths.Root, "tests", "Serverless.Outbox.RelayHost", "bin", RepoPaths.Configuration, "net10.0", "linux-x64", "Serverless.Outbox.RelayHost.dll");

    [Fact]
    public async Task Relay_ProcessKilledAtRandomPoints_LosesNoOrderAndStartsNoneTwice()
    {
        await using var bed = OutboxBed.Create(postgres);
        var orders = await bed.EnqueueAsync(Orders);
        var environment = bed.Settings(new Dictionary<string, string?>
        {
            ["Seam:RefusalRate"] = "0.05",
            // About 100 batches of 10 taking up to 50 ms each: the kills land inside the work, not after it.
            ["Seam:MaxDelay"] = "00:00:00.05",
            ["Outbox:Relay:BatchSize"] = "10",
            ["Logging:LogLevel:Default"] = "Warning",
        }).ToDictionary(e => e.Key.Replace(":", "__", StringComparison.Ordinal), e => e.Value);

        for (var kill = 1; kill <= Kills; kill++)
        {
            var callsBefore = await bed.CountAsync("SELECT count(*) FROM seam_calls");
            await using var relay = ManagedProcess.StartDotnet($"relay {kill}", RelayHost, environment);
            // Kill only once it works, then at a random point: inside a start, between starts and commit, or between batches.
            await Eventually.TrueAsync(
                async () => relay.HasExited || await bed.CountAsync("SELECT count(*) FROM seam_calls") > callsBefore, TimeSpan.FromSeconds(60), $"relay {kill} starts orders:\n{relay.Output}");
            Assert.False(relay.HasExited, relay.Output);
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 400)), TestContext.Current.CancellationToken);
            relay.Kill();
        }

        var startedBeforeLastRun = await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE state = 'started'");
        await using (var last = ManagedProcess.StartDotnet("relay last", RelayHost, environment))
        {
            await Eventually.TrueAsync(
                async () => await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE state = 'started'") == Orders,
                TimeSpan.FromSeconds(120),
                $"every order started:\n{last.Output}");
            await last.StopAsync(TimeSpan.FromSeconds(10));
        }

        var foundStarted = await bed.CountAsync("SELECT count(*) FROM seam_calls WHERE outcome = 'already-started'");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{Kills} kills; {startedBeforeLastRun} of {Orders} started before the last run; {foundStarted} starts found their workflow already started");
        Assert.True(startedBeforeLastRun < Orders, "the kills landed before the work was done");
        Assert.Equal(Orders, await bed.CountAsync("SELECT count(*) FROM seam_workflows"));
        Assert.Equal(0, await bed.StartedOtherThanOnceAsync(orders));
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM seam_calls WHERE outcome = 'other-order'"));
    }
}

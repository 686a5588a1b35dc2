using Serverless.Local.Processes;
using Serverless.Local.Replicas;
using Serverless.Testing;

namespace Serverless.Local.Tests;

public sealed class ReplicaSetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Scale_UpAndDown_StartsAndDrainsProcesses()
    {
        var started = new List<ManagedProcess>();
        await using var set = new ReplicaSet("sleepers", i => Track(started, Sleeper(i)), TimeSpan.FromSeconds(5));

        await set.ScaleAsync(3, Ct);
        Assert.Equal(3, set.Running);

        await set.ScaleAsync(1, Ct);
        Assert.Equal(1, set.Running);
        // The youngest two were asked to stop (SIGTERM ends `sleep`), the first one still runs.
        Assert.False(started[0].HasExited);
        Assert.True(started[1].HasExited && started[2].HasExited);

        await set.ScaleAsync(0, Ct);
        Assert.Equal(0, set.Running);
    }

    [Fact]
    public async Task Reconcile_ReplicaDiedOnItsOwn_IsReplaced()
    {
        var started = new List<ManagedProcess>();
        await using var set = new ReplicaSet("sleepers", i => Track(started, Sleeper(i)), TimeSpan.FromSeconds(5));
        await set.ScaleAsync(2, Ct);

        started[0].Kill();
        await Eventually.TrueAsync(() => started[0].HasExited, TimeSpan.FromSeconds(10), "the killed replica has exited");
        await set.ReconcileAsync(Ct);

        Assert.Equal(2, set.Running);
        Assert.Equal(1, set.Restarts);
        Assert.Equal(3, started.Count);
    }

    private static ManagedProcess Sleeper(int ordinal) =>
        ManagedProcess.Start($"sleeper-{ordinal}", "sleep", ["60"], new Dictionary<string, string?>());

    private static ManagedProcess Track(List<ManagedProcess> started, ManagedProcess process)
    {
        started.Add(process);
        return process;
    }
}

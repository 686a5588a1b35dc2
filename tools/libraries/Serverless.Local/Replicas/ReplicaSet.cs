using Serverless.Local.Processes;

namespace Serverless.Local.Replicas;

/// <summary>
/// Replicas of one deployable as local processes, kept at a desired count like a Deployment:
/// scale-out starts processes, scale-in sends SIGTERM and allows the grace period to drain, a
/// replica that dies on its own is replaced.
/// </summary>
public sealed class ReplicaSet(string name, Func<int, ManagedProcess> startReplica, TimeSpan gracePeriod) : IAsyncDisposable
{
    private readonly List<ManagedProcess> replicas = [];
    private readonly List<ManagedProcess> terminating = [];
    private readonly SemaphoreSlim gate = new(1, 1);
    private int started;

    public string Name { get; } = name;

    public int Desired { get; private set; }

    /// <summary>Replicas whose process is running: starting, ready, or terminating (draining after SIGTERM), as pods are counted.</summary>
    public int Running
    {
        get
        {
            lock (replicas)
            {
                return replicas.Count(r => !r.HasExited) + terminating.Count(r => !r.HasExited);
            }
        }
    }

    public int Restarts { get; private set; }

    public async Task ScaleAsync(int desired, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(desired);
        await gate.WaitAsync(cancellationToken);
        try
        {
            Desired = desired;
            await ReconcileLockedAsync();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Replaces replicas that exited without being asked to.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await ReconcileLockedAsync();
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ScaleAsync(0, CancellationToken.None);
        gate.Dispose();
    }

    private async Task ReconcileLockedAsync()
    {
        List<ManagedProcess> crashed;
        lock (replicas)
        {
            crashed = replicas.Where(r => r.HasExited).ToList();
            replicas.RemoveAll(crashed.Contains);
        }

        Restarts += crashed.Count;
        foreach (var replica in crashed)
        {
            await replica.DisposeAsync();
        }

        List<ManagedProcess> surplus;
        lock (replicas)
        {
            while (replicas.Count < Desired)
            {
                replicas.Add(startReplica(++started));
            }

            // Newest first, as a ReplicaSet prefers to remove the youngest pods.
            surplus = replicas.TakeLast(replicas.Count - Desired).ToList();
            replicas.RemoveAll(surplus.Contains);
            terminating.AddRange(surplus);
        }

        await Task.WhenAll(surplus.Select(async replica =>
        {
            await replica.StopAsync(gracePeriod);
            await replica.DisposeAsync();
            lock (replicas)
            {
                terminating.Remove(replica);
            }
        }));
    }
}

using System.Diagnostics;
using Serverless.Local.Replicas;
using Serverless.Scaler.Grpc;
using Serverless.Scaling.Autoscaling;
using Serverless.Scaling.Policy;

namespace Serverless.Local.Control;

/// <summary>
/// KEDA and the HPA for one queue, on this machine: every <c>pollingInterval</c> the operator's
/// <c>RequestScale</c> (0 ↔ max(min,1), N → 0 after cooldown), every HPA sync period the HPA's
/// proposal with tolerance, stabilisation and scale policies, both from <see cref="KedaScaledObjectModel"/>
/// and <see cref="HorizontalPodAutoscalerModel"/> (the same code the simulator runs), fed with the real
/// metric from the push scaler. A push activation runs <c>RequestScale</c> at once, as KEDA does for
/// <c>external-push</c> triggers (platform-semantics §5.2).
/// </summary>
public sealed class QueueController(
    QueuePolicy queue,
    ClusterSettings cluster,
    ScalerConnection scaler,
    ScaledObjectRef reference,
    ReplicaSet replicas,
    bool pushActivation,
    Action<ScalingDecision> onDecision) : IDisposable
{
    private readonly ScalerTrigger trigger = new(queue.Scaling.TargetPerReplica, queue.Scaling.ActivationThreshold, queue.Scaling.Fallback);
    private readonly KedaScaledObjectModel keda = new(queue.Scaling.MinReplicas, queue.Scaling.CooldownSeconds, queue.Scaling.Fallback);
    private readonly HorizontalPodAutoscalerModel hpa = new(queue.Scaling.MinReplicas, queue.Scaling.MaxReplicas, queue.Scaling.Behavior, cluster);
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly SemaphoreSlim wake = new(0);
    private volatile ScalingDecision? lastDecision;
    private double? lastMetric;

    public string Queue => queue.Name;

    public QueueStatus Status(QueueActivity? activity = null) => new(
        queue.Name,
        queue.Deployment,
        queue.Signal,
        lastMetric,
        replicas.Desired,
        replicas.Running,
        queue.Scaling.MinReplicas,
        queue.Scaling.MaxReplicas,
        activity?.ProcessedPerSecond,
        activity?.InFlight,
        lastDecision,
        replicas.Restarts);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var push = pushActivation ? ListenForPushAsync(cancellationToken) : Task.CompletedTask;
        var nextPoll = 0L;
        var nextSync = (long)cluster.HpaSyncPeriodSeconds;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = (long)clock.Elapsed.TotalSeconds;
                var woken = await WaitAsync(Math.Min(nextPoll, nextSync) - now, cancellationToken);
                now = (long)clock.Elapsed.TotalSeconds;
                if (woken || now >= nextPoll)
                {
                    await PollAsync(now, woken ? "push activation" : "polling interval", cancellationToken);
                    nextPoll = now + queue.Scaling.PollingIntervalSeconds;
                }

                if (now >= nextSync)
                {
                    await SyncAsync(now, cancellationToken);
                    nextSync = now + cluster.HpaSyncPeriodSeconds;
                }

                // A replica that died on its own is replaced, as a ReplicaSet does.
                await replicas.ReconcileAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await push.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>KEDA operator loop step (§1.3): activation and scale to zero.</summary>
    private async Task PollAsync(long now, string cause, CancellationToken cancellationToken)
    {
        var reading = await ReadAsync(cancellationToken);
        var poll = keda.RequestScale(now, replicas.Desired, reading);
        if (poll.To != poll.From)
        {
            await ScaleAsync(poll.From, poll.To, $"KEDA ({cause})", poll.Reason, cancellationToken);
        }
    }

    /// <summary>HPA sync (§2): 1..N from the AverageValue proposal, tolerance, stabilisation and policies.</summary>
    private async Task SyncAsync(long now, CancellationToken cancellationToken)
    {
        var reading = await ReadAsync(cancellationToken);
        var sync = hpa.Reconcile(now, replicas.Desired, replicas.Desired, reading.Metric, queue.Scaling.TargetPerReplica);
        if (sync.Outcome == HpaOutcome.Rescaled)
        {
            await ScaleAsync(sync.Current, sync.Desired, "HPA", sync.Reason, cancellationToken);
        }
    }

    private async Task<TriggerReading> ReadAsync(CancellationToken cancellationToken)
    {
        var read = await scaler.ReadAsync(reference, cancellationToken);
        if (read is not null)
        {
            lastMetric = read.Metric;
        }

        var reading = trigger.Read(read?.Metric, replicas.Desired);
        // The scaler, not the metric alone, decides activity: the work signal stays active for its
        // activation window after the last arrival.
        return read is null || reading.FallbackActive ? reading : reading with { IsActive = read.IsActive };
    }

    private async Task ScaleAsync(int from, int to, string by, string reason, CancellationToken cancellationToken)
    {
        var decision = new ScalingDecision(DateTimeOffset.Now, queue.Name, by, from, to, reason);
        lastDecision = decision;
        onDecision(decision);
        await replicas.ScaleAsync(to, cancellationToken);
    }

    public void Dispose() => wake.Dispose();

    private async Task<bool> WaitAsync(long seconds, CancellationToken cancellationToken) =>
        seconds > 0 && await wake.WaitAsync(TimeSpan.FromSeconds(seconds), cancellationToken);

    private async Task ListenForPushAsync(CancellationToken cancellationToken)
    {
        await foreach (var _ in scaler.ActivationsAsync(reference, cancellationToken))
        {
            // KEDA acts on a pushed `true` only to wake a target at zero (§5.2).
            if (replicas.Desired == 0)
            {
                wake.Release();
            }
        }
    }
}

using Serverless.Naming;
using Serverless.Scaling.Autoscaling;

namespace Serverless.Scaling.Policy;

/// <summary>The scaler policy file resolved for every environment it declares.</summary>
public sealed record ScalerPolicy(string SourcePath, IReadOnlyList<EnvironmentPolicy> Environments)
{
    /// <summary>Where <c>queues:</c> is written: findings about a queue the policy lacks point there.</summary>
    public required SourceLocation QueuesLocation { get; init; }

    public EnvironmentPolicy? Find(string environment) =>
        Environments.FirstOrDefault(e => string.Equals(e.Name, environment, StringComparison.Ordinal));
}

/// <summary>Everything that holds in one environment: the policy after its overrides are applied.</summary>
public sealed record EnvironmentPolicy(
    string Name,
    string KubernetesNamespace,
    ClusterSettings Cluster,
    TemporalConnection? Temporal,
    RedisConnection? Redis,
    PushScalerConnection? PushScaler,
    TrafficProfile Traffic,
    IReadOnlyList<QueuePolicy> Queues,
    SourceLocation Location)
{
    public QueuePolicy? FindQueue(string name) =>
        Queues.FirstOrDefault(q => string.Equals(q.Name, name, StringComparison.Ordinal));

    /// <summary>The same environment with every queue on <paramref name="signal"/>: what <c>simulate --compare-signals</c> runs.</summary>
    public EnvironmentPolicy WithSignal(ScalingSignal signal) => this with { Queues = [.. Queues.Select(q => q.WithSignal(signal))] };
}

/// <summary>One queue, stated once: what it reads, what it scales, how, and what to expect of it.</summary>
public sealed record QueuePolicy(
    string Name,
    string Deployment,
    QueueSource Source,
    ScalingSettings Scaling,
    WorkloadProfile Workload,
    ServiceLevel Slo,
    FieldLocations Locations)
{
    /// <summary>
    /// How KEDA learns that work arrived while the pool sleeps; scaling 1..N is the HPA's either way. Always
    /// <see cref="TriggerActivation.Push"/> with <see cref="ScalingSignal.Work"/> (its trigger is external-push);
    /// <c>activation: push</c> on a backlog queue keeps the backlog metric and only wakes it sooner.
    /// </summary>
    public TriggerActivation Activation { get; init; } = TriggerActivation.Poll;

    /// <summary>What the scaler measures: waiting work only (KEDA's built-in triggers) or all outstanding work.</summary>
    public ScalingSignal Signal { get; init; } = ScalingSignal.Backlog;

    /// <summary>
    /// With <see cref="ScalingSignal.Work"/>: the queue stays active this many seconds after the last arrival,
    /// so a pool that keeps up with steady traffic is not scaled to zero between items.
    /// </summary>
    public int ActivationWindowSeconds { get; init; }

    /// <summary>
    /// This queue on <paramref name="signal"/>, its other settings (the activation window included) unchanged.
    /// A work queue moved to backlog gets KEDA's polled built-in trigger; an explicit <c>activation: push</c>
    /// of a backlog queue stays.
    /// </summary>
    public QueuePolicy WithSignal(ScalingSignal signal) => signal == Signal ? this : this with
    {
        Signal = signal,
        Activation = signal == ScalingSignal.Work ? TriggerActivation.Push : TriggerActivation.Poll,
    };

    /// <summary>Whether the queue's trigger is served by workers/Serverless.Scaler (keda/components/push-scaler).</summary>
    public bool UsesPushScaler => Signal == ScalingSignal.Work || Activation == TriggerActivation.Push;
}

public enum ScalingSignal
{
    /// <summary>Waiting work only: Temporal's approximate backlog, a Redis group's lag (KEDA's built-in triggers).</summary>
    Backlog,

    /// <summary>
    /// Outstanding work (waiting + in flight) served by workers/Serverless.Scaler, active while work is
    /// outstanding or items arrived within the activation window.
    /// </summary>
    Work,
}

public enum TriggerActivation
{
    /// <summary>KEDA's built-in trigger, read every pollingInterval (platform-semantics §1.2).</summary>
    Poll,

    /// <summary>
    /// An <c>external-push</c> trigger served by workers/Serverless.Scaler: it streams "active" the moment work
    /// arrives, so a sleeping pool wakes without waiting for the next poll (§5.2). Scale-in still comes from polling.
    /// </summary>
    Push,
}

public abstract record QueueSource
{
    public abstract string KindName { get; }
}

public enum TemporalQueueType
{
    Workflow,
    Activity,
    Nexus,
}

/// <summary>A Temporal task queue; physical name <see cref="ResourceNames.For"/> of the queue.</summary>
public sealed record TemporalQueueSource(string TaskQueue, IReadOnlyList<TemporalQueueType> QueueTypes) : QueueSource
{
    public const string Kind = "temporal";

    public override string KindName => Kind;

    public bool PollsWorkflowTasks => QueueTypes.Contains(TemporalQueueType.Workflow);

    public string PhysicalName(string environment) => ResourceNames.For(environment, TaskQueue);
}

public enum StreamMetric
{
    /// <summary><c>lagCount</c>: entries the group has not read yet (XINFO GROUPS lag, Redis ≥ 7).</summary>
    Lag,

    /// <summary><c>pendingEntriesCount</c>: entries read but not acknowledged (XPENDING); cannot wake from zero.</summary>
    Pending,
}

/// <summary>A Redis stream read by one consumer group; <see cref="Stream"/> may contain <c>{environment}</c>.</summary>
public sealed record RedisStreamSource(string Stream, string ConsumerGroup, StreamMetric Metric) : QueueSource
{
    public const string Kind = "redis-stream";

    public override string KindName => Kind;

    public string PhysicalStream(string environment) => ResourceNames.Expand(Stream, environment);
}

/// <summary>The ScaledObject knobs of one queue in operator words.</summary>
public sealed record ScalingSettings(
    int TargetPerReplica,
    int ActivationThreshold,
    int MinReplicas,
    int MaxReplicas,
    int PollingIntervalSeconds,
    int CooldownSeconds,
    bool UseCachedMetrics,
    HpaBehavior? Behavior,
    FallbackSettings? Fallback);

/// <summary>
/// What one replica does, for simulation and sizing: items per order reaching this queue, items a ready
/// replica completes per second, items it holds at once (activity slots, read batch), seconds from
/// scheduling to ready, and the longest single item (for cooldown checks).
/// </summary>
public sealed record WorkloadProfile(
    double ItemsPerOrder,
    double ServiceRatePerReplica,
    int ConcurrencyPerReplica,
    int StartupSeconds,
    int LongestTaskSeconds);

/// <summary>The promise to the business: 99 % of items start within <see cref="QueueWaitSeconds"/>.</summary>
public sealed record ServiceLevel(int QueueWaitSeconds)
{
    public const double Percentile = 0.99;
}

public sealed record SecretReference(string Name, string Key);

public sealed record TemporalConnection(
    string? Endpoint,
    string? EndpointFromEnv,
    string Namespace,
    double RateBudgetPerSecond,
    SecretReference? ApiKeySecret,
    SourceLocation Location);

/// <summary>The push scaler's gRPC address (<c>host:port</c>); <c>{environment}</c> is replaced.</summary>
public sealed record PushScalerConnection(string Address, SourceLocation Location);

public sealed record RedisConnection(
    string? Address,
    string? AddressFromEnv,
    SecretReference? PasswordSecret,
    int DatabaseIndex,
    bool EnableTls,
    SourceLocation Location);

/// <summary>
/// Orders per day with a daily curve (peak at <see cref="PeakHour"/> of <see cref="PeakToMeanRatio"/> × the
/// mean) and a marketing spike multiplying the rate by <see cref="SpikeProfile.Factor"/>.
/// </summary>
public sealed record TrafficProfile(double OrdersPerDay, double PeakToMeanRatio, double PeakHour, SpikeProfile Spike, SourceLocation Location)
{
    public double MeanOrdersPerSecond => OrdersPerDay / 86_400.0;

    /// <summary>The declared peak: the spike on top of the daily peak.</summary>
    public double PeakOrdersPerSecond => MeanOrdersPerSecond * PeakToMeanRatio * Spike.Factor;
}

public sealed record SpikeProfile(double Factor, double StartHour, int Minutes);

using System.Globalization;
using System.Text.RegularExpressions;
using Temporalio.Api.Enums.V1;

namespace Serverless.Scaler.Backlog;

/// <summary>What the scaler measures for a target (<c>scalerMetadata.signal</c>).</summary>
public enum ScalingSignal
{
    /// <summary>Waiting work only, read exactly as KEDA's built-in scaler for the source reads it.</summary>
    Backlog,

    /// <summary>
    /// Outstanding work (waiting + in flight); active while it is above the threshold or work arrived
    /// within the activation window.
    /// </summary>
    Work,
}

/// <summary>
/// What one ScaledObject trigger asks this scaler to watch, parsed from its <c>scalerMetadata</c>.
/// Key names follow KEDA's built-in scalers (platform-semantics.md §3.1, §4.1) so a trigger can move
/// between the built-in and the push scaler with only <c>type</c> and <c>source</c> changed.
/// </summary>
public abstract partial record ScalerTarget(double TargetPerReplica, double ActivationThreshold)
{
    /// <summary>A day: a longer window would keep a pool up for no reason anyone could still name.</summary>
    public const int MaxActivationWindowSeconds = 86400;

    /// <summary>What a wake-up signal for this target is keyed by (stream or task queue name).</summary>
    public abstract string SignalKey { get; }

    public abstract string MetricName { get; }

    public ScalingSignal Signal { get; init; } = ScalingSignal.Backlog;

    /// <summary>With <see cref="ScalingSignal.Work"/>: how long after the last arrival the target stays active.</summary>
    public TimeSpan ActivationWindow { get; init; } = TimeSpan.Zero;

    /// <summary>KEDA's activation rule: strictly greater than the threshold (§1.2).</summary>
    public bool IsActive(double metric) => metric > ActivationThreshold;

    public static ScalerTarget Parse(IReadOnlyDictionary<string, string> metadata)
    {
        var errors = new List<string>();
        var source = metadata.GetValueOrDefault("source");
        ScalerTarget? target = source switch
        {
            "redis-streams" => StreamTarget.Parse(metadata, errors),
            "temporal" => TaskQueueTarget.Parse(metadata, errors),
            _ => null,
        };
        if (target is null && errors.Count == 0)
        {
            errors.Add($"scalerMetadata.source must be 'redis-streams' or 'temporal'; got '{source}'");
        }

        var signal = SignalOf(metadata, errors);
        var window = ActivationWindowOf(metadata, signal, errors);
        return errors.Count == 0 ? target! with { Signal = signal, ActivationWindow = window } : throw new InvalidScalerMetadataException(errors);
    }

    private static ScalingSignal SignalOf(IReadOnlyDictionary<string, string> metadata, List<string> errors)
    {
        switch (metadata.GetValueOrDefault("signal"))
        {
            case null or "backlog": return ScalingSignal.Backlog;
            case "work": return ScalingSignal.Work;
            case var other:
                errors.Add($"scalerMetadata.signal must be 'backlog' or 'work'; got '{other}'");
                return ScalingSignal.Backlog;
        }
    }

    private static TimeSpan ActivationWindowOf(IReadOnlyDictionary<string, string> metadata, ScalingSignal signal, List<string> errors)
    {
        if (!metadata.TryGetValue("activationWindowSeconds", out var text))
        {
            return TimeSpan.Zero;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxActivationWindowSeconds)
        {
            errors.Add($"scalerMetadata.activationWindowSeconds must be a whole number of seconds from 0 to {MaxActivationWindowSeconds}; got '{text}'");
            return TimeSpan.Zero;
        }

        // The backlog signal is KEDA's built-in reading, which has no window: a window there would
        // silently do nothing in the built-in trigger the same queue may move back to.
        if (seconds > 0 && signal != ScalingSignal.Work)
        {
            errors.Add($"scalerMetadata.activationWindowSeconds applies only with signal 'work'; got {seconds} with signal 'backlog'");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    protected static string Required(IReadOnlyDictionary<string, string> metadata, string key, List<string> errors)
    {
        var value = metadata.GetValueOrDefault(key);
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"scalerMetadata.{key} is required");
            return string.Empty;
        }

        return value;
    }

    protected static double Number(IReadOnlyDictionary<string, string> metadata, string key, double? fallback, bool positive, List<string> errors)
    {
        if (!metadata.TryGetValue(key, out var text))
        {
            if (fallback is null)
            {
                errors.Add($"scalerMetadata.{key} is required");
            }

            return fallback ?? 0;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || value < 0 || (positive && value == 0))
        {
            errors.Add($"scalerMetadata.{key} must be a {(positive ? "positive" : "non-negative")} number; got '{text}'");
        }

        return value;
    }

    protected static string Normalise(string name) => NonMetricChars().Replace(name.ToLowerInvariant(), "-");

    [GeneratedRegex("[^a-z0-9-]")]
    private static partial Regex NonMetricChars();
}

/// <summary>
/// A Redis stream consumer group: backlog = the group's lag (entries not yet delivered); outstanding
/// work = lag + the group's pending entries (delivered, not yet acknowledged).
/// </summary>
public sealed record StreamTarget(string Stream, string ConsumerGroup, double TargetPerReplica, double ActivationThreshold)
    : ScalerTarget(TargetPerReplica, ActivationThreshold)
{
    public override string SignalKey => Stream;

    public override string MetricName => Normalise($"redis-streams-{Stream}-{ConsumerGroup}");

    internal static StreamTarget Parse(IReadOnlyDictionary<string, string> metadata, List<string> errors) => new(
        Required(metadata, "stream", errors),
        Required(metadata, "consumerGroup", errors),
        Number(metadata, "lagCount", fallback: null, positive: true, errors),
        Number(metadata, "activationLagCount", fallback: 0, positive: false, errors));
}

/// <summary>
/// A Temporal task queue: backlog = approximate backlog summed over the selected queue types;
/// outstanding work = that backlog + the slots the queue's live workers use for those types.
/// </summary>
public sealed record TaskQueueTarget(string Namespace, string TaskQueue, IReadOnlyList<TaskQueueType> QueueTypes, double TargetPerReplica, double ActivationThreshold)
    : ScalerTarget(TargetPerReplica, ActivationThreshold)
{
    public override string SignalKey => TaskQueue;

    public override string MetricName => Normalise($"temporal-{Namespace}-{TaskQueue}");

    internal static TaskQueueTarget Parse(IReadOnlyDictionary<string, string> metadata, List<string> errors)
    {
        // KEDA's code default is all three types (§3.1); we require the choice to be explicit:
        // mixing workflow and activity backlog is the most common scaling mistake.
        var types = new List<TaskQueueType>();
        foreach (var type in Required(metadata, "queueTypes", errors).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (type)
            {
                case "workflow": types.Add(TaskQueueType.Workflow); break;
                case "activity": types.Add(TaskQueueType.Activity); break;
                case "nexus": types.Add(TaskQueueType.Nexus); break;
                default: errors.Add($"scalerMetadata.queueTypes has unknown type '{type}' (workflow, activity, nexus)"); break;
            }
        }

        return new TaskQueueTarget(
            Required(metadata, "namespace", errors),
            Required(metadata, "taskQueue", errors),
            types,
            Number(metadata, "targetQueueSize", fallback: 5, positive: true, errors),
            Number(metadata, "activationTargetQueueSize", fallback: 0, positive: false, errors));
    }
}

public sealed class InvalidScalerMetadataException(IReadOnlyList<string> errors)
    : Exception("Invalid scaler metadata: " + string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

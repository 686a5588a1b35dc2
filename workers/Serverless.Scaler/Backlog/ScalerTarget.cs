using System.Globalization;
using System.Text.RegularExpressions;
using Temporalio.Api.Enums.V1;

namespace Serverless.Scaler.Backlog;

/// <summary>
/// What one ScaledObject trigger asks this scaler to watch, parsed from its <c>scalerMetadata</c>.
/// Key names follow KEDA's built-in scalers (platform-semantics.md §3.1, §4.1) so a trigger can move
/// between the built-in and the push scaler with only <c>type</c> and <c>source</c> changed.
/// </summary>
public abstract partial record ScalerTarget(double TargetPerReplica, double ActivationThreshold)
{
    /// <summary>What a wake-up signal for this target is keyed by (stream or task queue name).</summary>
    public abstract string SignalKey { get; }

    public abstract string MetricName { get; }

    /// <summary>KEDA's activation rule: strictly greater than the threshold (§1.2).</summary>
    public bool IsActive(double backlog) => backlog > ActivationThreshold;

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

        return errors.Count == 0 ? target! : throw new InvalidScalerMetadataException(errors);
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

/// <summary>A Redis stream consumer group: backlog = the group's lag (entries not yet delivered).</summary>
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

/// <summary>A Temporal task queue: backlog = approximate backlog summed over the selected queue types.</summary>
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

using System.Text.RegularExpressions;
using Serverless.Scaling.Autoscaling;

namespace Serverless.Scaling.Policy;

/// <summary>The policy file's words: enum spellings, the fields a default may set, and the name patterns.</summary>
public static partial class PolicyLoader
{
    private static readonly Dictionary<string, TemporalQueueType> QueueTypeNames = new(StringComparer.Ordinal)
    {
        ["workflow"] = TemporalQueueType.Workflow,
        ["activity"] = TemporalQueueType.Activity,
        ["nexus"] = TemporalQueueType.Nexus,
    };

    private static readonly Dictionary<string, StreamMetric> StreamMetricNames = new(StringComparer.Ordinal)
    {
        ["lag"] = StreamMetric.Lag,
        ["pending"] = StreamMetric.Pending,
    };

    private static readonly Dictionary<string, SelectPolicy> SelectPolicyNames = new(StringComparer.Ordinal)
    {
        ["Max"] = SelectPolicy.Max,
        ["Min"] = SelectPolicy.Min,
        ["Disabled"] = SelectPolicy.Disabled,
    };

    private static readonly Dictionary<string, ScalingPolicyType> PolicyTypeNames = new(StringComparer.Ordinal)
    {
        ["Pods"] = ScalingPolicyType.Pods,
        ["Percent"] = ScalingPolicyType.Percent,
    };

    private static readonly Dictionary<string, TriggerActivation> ActivationNames = new(StringComparer.Ordinal)
    {
        ["poll"] = TriggerActivation.Poll,
        ["push"] = TriggerActivation.Push,
    };

    private static readonly Dictionary<string, ScalingSignal> SignalNames = new(StringComparer.Ordinal)
    {
        ["backlog"] = ScalingSignal.Backlog,
        ["work"] = ScalingSignal.Work,
    };

    private static readonly Dictionary<string, FallbackBehavior> FallbackBehaviorNames = new(StringComparer.Ordinal)
    {
        ["static"] = FallbackBehavior.Static,
        ["currentReplicas"] = FallbackBehavior.CurrentReplicas,
        ["currentReplicasIfHigher"] = FallbackBehavior.CurrentReplicasIfHigher,
        ["currentReplicasIfLower"] = FallbackBehavior.CurrentReplicasIfLower,
    };

    /// <summary>Fields a queue may take from <c>defaults</c>: everything except what identifies the queue.</summary>
    public static IReadOnlyList<string> CommonQueueFields { get; } =
    [
        "targetPerReplica", "activationThreshold", "minReplicas", "maxReplicas", "pollingIntervalSeconds",
        "cooldownSeconds", "useCachedMetrics", "behavior", "fallback", "workload", "slo", "activation",
        "signal", "activationWindowSeconds",
    ];

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,48}[a-z0-9])?\\z")]
    private static partial Regex ResourceName();

    [GeneratedRegex("^[a-z][a-z0-9-]*\\z")]
    private static partial Regex QueueName();

    [GeneratedRegex(@"^([A-Za-z0-9._-]|\{environment\})+\z")]
    private static partial Regex StreamName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex EnvVarName();

    [GeneratedRegex(@"^([a-z0-9.-]|\{environment\})+:[0-9]{1,5}\z")]
    private static partial Regex HostPort();
}

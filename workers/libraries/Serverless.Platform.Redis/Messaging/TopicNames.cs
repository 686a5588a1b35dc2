using Serverless.Naming;

namespace Serverless.Platform.Messaging;

/// <summary>
/// The logical topics; the physical topic (= Redis stream) is <see cref="ResourceNames.For"/> of one.
/// The same name serves Dapr (topic = stream key, platform-semantics §7.1) and KEDA's <c>redis-streams</c> trigger.
/// </summary>
public static class TopicNames
{
    public const string Orders = "orders";

    /// <summary>Where entries that failed too often (or could not be read) go, per stream and consumer group.</summary>
    public static string DeadLetterFor(string stream, string group) => $"{stream}-dlq-{group}";
}

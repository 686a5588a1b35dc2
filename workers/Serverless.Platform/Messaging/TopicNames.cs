namespace Serverless.Platform.Messaging;

/// <summary>
/// Physical topic (= Redis stream) names are <c>{environment}-{topic}</c>, like task queues, so a
/// dev consumer never reads prod events even on a shared Redis (architecture §6). The same name
/// serves Dapr (topic = stream key, platform-semantics §7.1) and KEDA's <c>redis-streams</c> trigger.
/// </summary>
public static class TopicNames
{
    public const string Orders = "orders";

    public static string For(string environment, string topic) => $"{environment}-{topic}";

    /// <summary>Where entries that failed too often (or could not be read) go, per stream and consumer group.</summary>
    public static string DeadLetterFor(string stream, string group) => $"{stream}-dlq-{group}";
}

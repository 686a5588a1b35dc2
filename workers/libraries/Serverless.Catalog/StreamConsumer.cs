using Serverless.Naming;

namespace Serverless.Catalog;

/// <summary>
/// A consumer group on a Redis stream and the Deployment whose replicas are its consumers, each running
/// one of the consumer host's handlers (<see cref="StreamHandlers"/>).
/// </summary>
/// <param name="Name">The queue's name in the scaler policy (and of its ScaledObject).</param>
/// <param name="Deployment">The Deployment (and <c>serverless up</c> replica set) of its consumers.</param>
/// <param name="Topic">The logical stream; its physical name is <see cref="PhysicalStream"/>.</param>
/// <param name="Group">The consumer group: one per Deployment, so every consumer sees each event once.</param>
/// <param name="Handler">The handler the consumers run.</param>
public sealed record StreamConsumer(string Name, string Deployment, string Topic, string Group, string Handler)
{
    /// <summary>How the consumer reads and what a handler error does to an entry (<c>Consumer:*</c> of the consumer host).</summary>
    public IReadOnlyList<Setting> Tuning { get; init; } = [];

    /// <summary>What every consumer of the group is configured with, in the Deployment and under <c>serverless up</c>.</summary>
    public IReadOnlyList<Setting> Settings =>
    [
        new("Consumer:Handler", Handler),
        new("Consumer:Streams", Topic),
        new("Consumer:Group", Group),
        .. Tuning,
    ];

    public string PhysicalStream(string environment) => ResourceNames.For(environment, Topic);
}

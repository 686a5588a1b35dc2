namespace Serverless.Catalog;

/// <summary>
/// Both catalogs as one value, for the tools that read them: the policy checks and <c>scalers render</c>
/// take <see cref="Shipped"/>, tests and benchmarks a catalog of their own queues.
/// </summary>
public sealed record ServiceCatalog(IReadOnlyList<ActivityQueue> Queues, IReadOnlyList<StreamConsumer> Consumers)
{
    public static ServiceCatalog Shipped { get; } = new(ActivityQueues.All, StreamConsumers.All);

    public ActivityQueue? FindQueue(string name) => Queues.FirstOrDefault(q => string.Equals(q.Name, name, StringComparison.Ordinal));

    public StreamConsumer? FindConsumer(string name) => Consumers.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
}

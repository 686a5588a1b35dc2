namespace Serverless.Catalog;

/// <summary>The handlers the consumer host can run (<c>Consumer:Handler</c>); each is bound to its type there.</summary>
public static class StreamHandlers
{
    public const string Notifications = "notifications";
    public const string Projection = "projection";

    /// <summary>Records every event; deployed by no consumer here, it is the handler of the crash tests and the benchmarks.</summary>
    public const string Audit = "audit";

    public static IReadOnlyList<string> All { get; } = [Notifications, Projection, Audit];
}

/// <summary>
/// The stream-consumer catalog: every consumer group the system deploys, once. An entry here must have a
/// queue of its name in keda/scalers.yaml (<c>scalers lint</c>) and is deployed as it says
/// (<c>scalers render</c>, the manifest tests, <c>serverless up</c>).
/// </summary>
public static class StreamConsumers
{
    /// <summary>This file, for findings that say where to fix an entry.</summary>
    public const string SourceFile = "workers/libraries/Serverless.Catalog/StreamConsumers.cs";

    public static StreamConsumer Notifications { get; } = new("notifications", "notifications-consumer", "orders", "notifications", StreamHandlers.Notifications)
    {
        Tuning = [Pull, new("Consumer:Concurrency", "16"), RedeliverOnHandlerError],
    };

    public static StreamConsumer OrderProjection { get; } = new("order-projection", "projection-consumer", "orders", "order-projection", StreamHandlers.Projection)
    {
        // The projection applies a read batch in one transaction, a slot per entry: 256 slots keep four
        // batches of 64 in flight (four PostgreSQL connections), where 16 would serialise them.
        Tuning = [Pull, new("Consumer:Concurrency", "256"), new("Consumer:BatchSize", "64"), RedeliverOnHandlerError],
    };

    public static IReadOnlyList<StreamConsumer> All { get; } = [Notifications, OrderProjection];

    /// <summary>No Dapr sidecar: the consumers read their group themselves.</summary>
    private static Setting Pull => new("Consumer:Delivery", "Pull");

    /// <summary>
    /// Our own pipelines fail mostly on transient causes (PostgreSQL away): redeliver them instead of Dapr's
    /// ack-and-dead-letter default, so an outage of the system of record fills no dead-letter stream.
    /// </summary>
    private static Setting RedeliverOnHandlerError => new("Consumer:OnHandlerError", "KeepPending");
}

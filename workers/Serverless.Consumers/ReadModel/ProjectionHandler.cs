using Npgsql;
using Serverless.Catalog;
using Serverless.Consumers.Handlers;
using Serverless.Orders.Events;
using Serverless.Orders.ReadModel;
using Serverless.Platform.Messaging;

namespace Serverless.Consumers.ReadModel;

/// <summary>
/// Keeps the order read model: PostgreSQL (the system of record) inside the inbox transaction,
/// then the state store after the commit — also on a redelivery, so a crash between the two is
/// repaired by the redelivery. Both writes keep the newest snapshot whatever the delivery order,
/// also among several events of one order in one batch.
/// </summary>
public sealed class ProjectionHandler(OrderStateWriter state) : BatchConsumerHandler<OrderSnapshot>, IStreamHandler
{
    public static string HandlerName => StreamHandlers.Projection;

    public static void Register(IServiceCollection services, IConfiguration configuration, string group)
    {
        services.AddOrderReadModel(configuration);
        services.AddSingleton<IConsumerHandler, ProjectionHandler>();
        services.AddHostedService<ReadModelRebuildService>();
    }

    protected override OrderSnapshot? ParseData(ReceivedEvent received) => OrderSnapshots.ReadOrderEvent(received.Event);

    protected override Task ApplyBatchAsync(IReadOnlyList<(ReceivedEvent Received, OrderSnapshot Data)> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        OrderRecords.UpsertAsync([.. events.Select(e => e.Data)], connection, transaction, cancellationToken);

    // Only each order's newest snapshot of the batch: the older ones would lose to it anyway.
    protected override Task AfterCommitBatchAsync(IReadOnlyList<(ReceivedEvent Received, OrderSnapshot Data)> events, CancellationToken cancellationToken) =>
        Task.WhenAll(OrderRecords.NewestPerOrder(events.Select(e => e.Data)).Select(snapshot => state.WriteAsync(snapshot, cancellationToken)));
}

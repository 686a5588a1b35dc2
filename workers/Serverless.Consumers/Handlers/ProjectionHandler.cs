using Npgsql;
using Serverless.Orders.Events;
using Serverless.Orders.ReadModel;
using Serverless.Platform.Messaging;

namespace Serverless.Consumers.Handlers;

/// <summary>
/// Keeps the order read model: PostgreSQL (the system of record) inside the inbox transaction,
/// then the state store after the commit — also on a redelivery, so a crash between the two is
/// repaired by the redelivery. Both writes keep the newest snapshot whatever the delivery order.
/// </summary>
public sealed class ProjectionHandler(OrderStateWriter state) : ConsumerHandler<OrderSnapshot>
{
    public const string Name = "projection";

    protected override OrderSnapshot? ParseData(ReceivedEvent received) => OrderSnapshots.ReadOrderEvent(received.Event);

    protected override Task ApplyAsync(ReceivedEvent received, OrderSnapshot data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        OrderRecords.UpsertAsync(data, connection, transaction, cancellationToken);

    protected override Task AfterCommitAsync(ReceivedEvent received, OrderSnapshot data, CancellationToken cancellationToken) =>
        state.WriteAsync(data, cancellationToken);
}

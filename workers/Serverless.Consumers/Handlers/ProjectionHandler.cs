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

    public override IReadOnlySet<string> EventTypes => OrderEventTypes.All;

    protected override OrderSnapshot ParseData(CloudEvent cloudEvent) => OrderSnapshots.Read(cloudEvent);

    protected override Task ApplyAsync(CloudEvent cloudEvent, OrderSnapshot data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        OrderRecords.UpsertAsync(data, connection, transaction, cancellationToken);

    protected override Task AfterCommitAsync(CloudEvent cloudEvent, OrderSnapshot data, CancellationToken cancellationToken) =>
        state.WriteAsync(data, cancellationToken);
}

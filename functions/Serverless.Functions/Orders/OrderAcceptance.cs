using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Functions.Temporal;
using Serverless.Orders.Contracts;
using Serverless.Orders.Outbox;
using Serverless.Orders.Workflows;
using Serverless.Platform.Correlation;
using Serverless.Platform.Environments;
using Serverless.Platform.Postgres;

namespace Serverless.Functions.Orders;

/// <summary>
/// An accepted order. <paramref name="AcceptedNow"/> is false for a replay of an order accepted
/// before; <paramref name="SameRequest"/> false when the key was used for another order;
/// <paramref name="Queued"/> is the outbox status (queued, cancelled) of an order whose workflow does not exist yet.
/// </summary>
public sealed record AcceptedOrder(bool AcceptedNow, bool SameRequest, OrderStatus? Queued = null);

/// <summary>
/// Accepts orders durably (<see cref="OrderAcceptMode.Outbox"/>): an order the outbox holds answers
/// from there (so a key's first copy decides its body, wherever it is), any other goes to Temporal,
/// and when Temporal is unreachable it is queued in the outbox for the relay. Only when PostgreSQL
/// fails too does the <see cref="TemporalUnavailableException"/> reach the caller (<c>503</c>).
/// In <see cref="OrderAcceptMode.Reject"/> the outbox is never touched.
/// </summary>
public sealed partial class OrderAcceptance(
    OrderWorkflowGateway workflows,
    OrderOutbox outbox,
    IOptions<OrderAcceptOptions> options,
    IOptions<ServerlessEnvironmentOptions> environment,
    ILogger<OrderAcceptance> logger)
{
    private bool UsesOutbox => options.Value.Mode == OrderAcceptMode.Outbox;

    public async Task<AcceptedOrder> AcceptAsync(OrderInput input, string idempotencyKey, CancellationToken cancellationToken)
    {
        var fingerprint = OrderStarter.RequestFingerprint(input);
        // A conflict row lost its key to another order already in Temporal: Temporal answers for it.
        if (UsesOutbox && await FindAsync(input.OrderId, cancellationToken) is { State: not OutboxState.Conflict } held)
        {
            return new AcceptedOrder(AcceptedNow: false, SameRequest: held.Fingerprint == fingerprint, QueuedStatus(held.State));
        }

        try
        {
            var start = await workflows.StartOrGetAsync(input, cancellationToken);
            return new AcceptedOrder(start.StartedNow, start.SameRequest);
        }
        catch (TemporalUnavailableException) when (UsesOutbox)
        {
            var queued = await TryEnqueueAsync(new OutboxOrder(input, idempotencyKey, fingerprint, CorrelationId.Current, environment.Value.Environment), cancellationToken);
            if (queued is null)
            {
                throw;
            }

            LogQueued(input.OrderId, queued.QueuedNow);
            return new AcceptedOrder(queued.QueuedNow, queued.SameRequest, QueuedStatus(queued.State));
        }
    }

    /// <summary>The outbox row of an order whose workflow does not exist yet (queued or cancelled there); null otherwise.</summary>
    public async Task<OutboxEntry?> FindQueuedAsync(string orderId, CancellationToken cancellationToken) =>
        UsesOutbox && await FindAsync(orderId, cancellationToken) is { State: OutboxState.Queued or OutboxState.Cancelled } entry ? entry : null;

    /// <summary>Cancels the order in the outbox when it is queued there; <see cref="OutboxCancel.NotQueued"/> sends the cancel on to the workflow.</summary>
    public async Task<OutboxCancel> CancelQueuedAsync(string orderId, string? reason, CancellationToken cancellationToken)
    {
        if (!UsesOutbox)
        {
            return OutboxCancel.NotQueued;
        }

        try
        {
            return await outbox.CancelQueuedAsync(orderId, reason, cancellationToken);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            // A queued order cannot be relayed while PostgreSQL is down either: the workflow decides.
            LogOutboxUnreachable("cancel", orderId, e.Message);
            return OutboxCancel.NotQueued;
        }
    }

    private async Task<OutboxEntry?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        try
        {
            return await outbox.FindAsync(orderId, cancellationToken);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            // Temporal still knows every order the relay has started; only a row queued during a
            // double outage goes unseen, and it cannot be relayed until PostgreSQL is back either.
            LogOutboxUnreachable("read", orderId, e.Message);
            return null;
        }
    }

    private async Task<OutboxEnqueue?> TryEnqueueAsync(OutboxOrder order, CancellationToken cancellationToken)
    {
        try
        {
            return await outbox.EnqueueAsync(order, cancellationToken);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            LogOutboxUnreachable("enqueue", order.Input.OrderId, e.Message);
            return null;
        }
    }

    private static OrderStatus? QueuedStatus(OutboxState state) => state switch
    {
        OutboxState.Queued => OrderStatus.Queued,
        OutboxState.Cancelled => OrderStatus.Cancelled,
        _ => null,
    };

    private static bool IsUnreachable(Exception e) =>
        e is DbException or PostgresPoolExhaustedException or TimeoutException or SocketException;

    [LoggerMessage(3400, LogLevel.Warning, "Temporal unavailable: order {OrderId} accepted into the outbox (new row: {QueuedNow})")]
    private partial void LogQueued(string orderId, bool queuedNow);

    [LoggerMessage(3401, LogLevel.Warning, "Order outbox unreachable for {Operation} of order {OrderId}: {Error}")]
    private partial void LogOutboxUnreachable(string operation, string orderId, string error);
}

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
/// Accepts orders durably (<see cref="OrderAcceptMode.Outbox"/>). Every order is first written to
/// the outbox (one idempotent statement on the order id): that row holds the key's first body, so
/// another body is <c>422</c> wherever the first copy is, even while Temporal cannot be asked. Then
/// the workflow is started at once and the row marked started; when Temporal is unreachable the row
/// stays queued and the relay starts it (it waits <see cref="RelayGrace"/> first, so it does not race
/// the start in progress). When PostgreSQL is unreachable, Temporal alone decides (as in
/// <see cref="OrderAcceptMode.Reject"/>); only when both fail does the
/// <see cref="TemporalUnavailableException"/> reach the caller (<c>503</c>).
/// </summary>
public sealed partial class OrderAcceptance(
    OrderWorkflowGateway workflows,
    OrderOutbox outbox,
    IOptions<OrderAcceptOptions> options,
    IOptions<FunctionsOptions> functions,
    IOptions<ServerlessEnvironmentOptions> environment,
    ILogger<OrderAcceptance> logger)
{
    private bool UsesOutbox => options.Value.Mode == OrderAcceptMode.Outbox;

    /// <summary>How long a new row waits for the relay: longer than this request's own start may take.</summary>
    private TimeSpan RelayGrace => functions.Value.TemporalCallTimeout * 2;

    public async Task<AcceptedOrder> AcceptAsync(OrderInput input, string idempotencyKey, CancellationToken cancellationToken)
    {
        var fingerprint = OrderStarter.RequestFingerprint(input);
        var held = UsesOutbox
            ? await TryEnqueueAsync(new OutboxOrder(input, idempotencyKey, fingerprint, CorrelationId.Current, environment.Value.Environment), cancellationToken)
            : null;
        // A conflict row lost its key to another order already in Temporal: Temporal answers for it.
        if (held is { QueuedNow: false, State: not OutboxState.Conflict })
        {
            return new AcceptedOrder(AcceptedNow: false, held.SameRequest, QueuedStatus(held.State));
        }

        OrderStart start;
        try
        {
            start = await workflows.StartOrGetAsync(input, fingerprint, cancellationToken);
        }
        catch (TemporalUnavailableException) when (held is { QueuedNow: true })
        {
            LogQueued(input.OrderId);
            return new AcceptedOrder(AcceptedNow: true, SameRequest: true, OrderStatus.Queued);
        }

        if (held is { QueuedNow: true })
        {
            await TryMarkAsync(input.OrderId, start.SameRequest ? OutboxState.Started : OutboxState.Conflict, cancellationToken);
        }

        return new AcceptedOrder(start.StartedNow, start.SameRequest);
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
            return await outbox.EnqueueAsync(order, RelayGrace, cancellationToken);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            LogOutboxUnreachable("enqueue", order.Input.OrderId, e.Message);
            return null;
        }
    }

    private async Task TryMarkAsync(string orderId, OutboxState state, CancellationToken cancellationToken)
    {
        try
        {
            await outbox.MarkAsync(orderId, state, cancellationToken);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            // The row stays queued: the relay's start finds the workflow and marks it.
            LogOutboxUnreachable("mark", orderId, e.Message);
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

    [LoggerMessage(3400, LogLevel.Warning, "Temporal unavailable: order {OrderId} queued in the outbox for the relay")]
    private partial void LogQueued(string orderId);

    [LoggerMessage(3401, LogLevel.Warning, "Order outbox unreachable for {Operation} of order {OrderId}: {Error}")]
    private partial void LogOutboxUnreachable(string operation, string orderId, string error);
}

using Microsoft.Extensions.Logging;
using Serverless.Functions.Temporal;
using Serverless.Orders.Contracts;
using Serverless.Orders.Outbox;
using Serverless.Orders.ReadModel;

namespace Serverless.Functions.Orders;

/// <summary>
/// Where an order's status comes from: the read model first (cheap, and it survives the workflow's
/// retention), then a query of the workflow (the read model trails events and may not know a
/// brand-new order yet), then the order outbox when no workflow answers (an order accepted while
/// Temporal was unreachable and not started yet). Null when none knows the id. Without a registered
/// <see cref="IOrderReadModel"/> the read model is skipped.
/// </summary>
public sealed partial class OrderStatusReader(
    OrderWorkflowGateway workflows,
    OrderAcceptance acceptance,
    ILogger<OrderStatusReader> logger,
    IOrderReadModel? readModel = null)
{
    public async Task<OrderStatusView?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        if (await FromReadModelAsync(orderId, cancellationToken) is { } view)
        {
            return new OrderStatusView(
                view.OrderId, view.Status, CanCancel: null, view.FailureReason, view.Steps, OrderStatusSource.ReadModel, OrderLinks.Cancel(orderId));
        }

        OrderProgress? progress;
        try
        {
            progress = await workflows.QueryProgressAsync(orderId, cancellationToken);
        }
        catch (TemporalUnavailableException)
        {
            if (await FromOutboxAsync(orderId, cancellationToken) is { } queued)
            {
                return queued;
            }

            throw;
        }

        return progress is null
            ? await FromOutboxAsync(orderId, cancellationToken)
            : new OrderStatusView(
                orderId, progress.Status, progress.CanCancel, progress.FailureReason, progress.Steps, OrderStatusSource.Workflow, OrderLinks.Cancel(orderId));
    }

    private async Task<OrderStatusView?> FromOutboxAsync(string orderId, CancellationToken cancellationToken) =>
        await acceptance.FindQueuedAsync(orderId, cancellationToken) is { } queued
            ? new OrderStatusView(
                orderId,
                queued.State == OutboxState.Queued ? OrderStatus.Queued : OrderStatus.Cancelled,
                CanCancel: queued.State == OutboxState.Queued,
                queued.CancelReason,
                [],
                OrderStatusSource.Outbox,
                OrderLinks.Cancel(orderId))
            : null;

    private async Task<OrderView?> FromReadModelAsync(string orderId, CancellationToken cancellationToken)
    {
        if (readModel is null)
        {
            return null;
        }

        try
        {
            return await readModel.FindAsync(orderId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The read model already falls back from Redis to PostgreSQL; when both fail the workflow still knows.
            LogReadModelFailed(orderId, e.Message);
            return null;
        }
    }

    [LoggerMessage(3200, LogLevel.Warning, "Read model failed for order {OrderId}, asking the workflow: {Error}")]
    private partial void LogReadModelFailed(string orderId, string error);
}

using Microsoft.Extensions.Logging;
using Serverless.Functions.Temporal;
using Serverless.Orders.ReadModel;

namespace Serverless.Functions.Orders;

/// <summary>
/// Where an order's status comes from: the read model first (cheap, and it survives the workflow's
/// retention), then a query of the workflow (the read model trails events and may not know a
/// brand-new order yet). Null when neither knows the id. Without a registered
/// <see cref="IOrderReadModel"/> only the workflow is asked.
/// </summary>
public sealed partial class OrderStatusReader(OrderWorkflowGateway workflows, ILogger<OrderStatusReader> logger, IOrderReadModel? readModel = null)
{
    public async Task<OrderStatusView?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        if (await FromReadModelAsync(orderId, cancellationToken) is { } view)
        {
            return new OrderStatusView(
                view.OrderId, view.Status, CanCancel: null, view.FailureReason, view.Steps, OrderStatusSource.ReadModel, OrderLinks.Cancel(orderId));
        }

        var progress = await workflows.QueryProgressAsync(orderId, cancellationToken);
        return progress is null
            ? null
            : new OrderStatusView(
                orderId, progress.Status, progress.CanCancel, progress.FailureReason, progress.Steps, OrderStatusSource.Workflow, OrderLinks.Cancel(orderId));
    }

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

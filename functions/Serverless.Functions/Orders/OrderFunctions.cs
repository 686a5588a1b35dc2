using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Functions.Http;
using Serverless.Functions.Temporal;
using Serverless.Orders.Contracts;
using Serverless.Orders.Outbox;
using Serverless.Orders.Workflows;

namespace Serverless.Functions.Orders;

/// <summary>
/// The order functions: place, read and cancel orders. The Functions host finds them through the
/// <see cref="FunctionAttribute"/>/<see cref="HttpTriggerAttribute"/> pair and enforces function keys
/// (<see cref="AuthorizationLevel.Function"/>); the Kestrel self-host maps the same methods from the
/// same attributes. A client error is answered before Temporal is called, so it never starts anything.
/// </summary>
[Tags("orders")]
public sealed partial class OrderFunctions(
    OrderWorkflowGateway workflows,
    OrderAcceptance acceptance,
    OrderStatusReader statuses,
    IOptions<FunctionsOptions> options,
    ILogger<OrderFunctions> logger)
{
    private int BodyLimit => options.Value.MaxRequestBodyBytes;

    [Function(nameof(PlaceOrder))]
    [EndpointSummary("Place an order")]
    [EndpointDescription(
        "Starts the order workflow and answers at once. The order id is derived from the Idempotency-Key " +
        "(generated when absent; send your own, so that a lost answer can be retried). Every answer carries the key " +
        "in effect in the Idempotency-Key header, and every problem also in 'idempotencyKey'. Resending the same key " +
        "and body returns the same order, the same key with another body is refused with 422. While Temporal is " +
        "unreachable the order is queued durably (status Queued) and started later. 503 with Retry-After " +
        "means nothing was accepted: retry with the same key.")]
    [Consumes(typeof(PlaceOrderRequest), "application/json")]
    [ProducesResponseType(typeof(OrderAccepted), StatusCodes.Status202Accepted, "application/json")]
    [ProducesResponseType(typeof(HttpValidationProblemDetails), StatusCodes.Status400BadRequest, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status413PayloadTooLarge, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status415UnsupportedMediaType, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status422UnprocessableEntity, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status503ServiceUnavailable, ProblemResults.ContentType)]
    [DocumentedParameter(DocumentedParameterAttribute.Header, IdempotencyKeyHeader.Name, "1-255 printable ASCII characters; a UUID per order, made by the client before the first attempt, is a good key. Generated and returned when absent.")]
    public async Task<IActionResult> PlaceOrder(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderLinks.Orders)] HttpRequest request)
    {
        var key = IdempotencyKeyHeader.Read(request);
        if (key.Problem is { } keyProblem)
        {
            return keyProblem;
        }

        // Every answer names the key in effect (header, and problem body): a client that sent none
        // can still retry a 503 or a lost answer without placing the order twice.
        request.HttpContext.Response.Headers[IdempotencyKeyHeader.Name] = key.Value;
        return ProblemResults.WithExtension(await PlaceAsync(request, key.Value!), IdempotencyKeyHeader.ProblemExtension, key.Value!);
    }

    private async Task<IActionResult> PlaceAsync(HttpRequest request, string key)
    {
        var aborted = request.HttpContext.RequestAborted;
        var order = await JsonRequestBody.ReadAsync(request, BodyLimit, allowEmpty: false, OrderRequests.ReadPlaceOrder, aborted);
        if (order.Problem is { } orderProblem)
        {
            return orderProblem;
        }

        var orderId = OrderStarter.OrderIdFor(key);
        return await WhenTemporalAvailableAsync(request, "The order was not accepted. Retry with the Idempotency-Key of this response: it is placed once.", async () =>
        {
            var start = await acceptance.AcceptAsync(order.Value!.ToInput(orderId), key, aborted);
            if (!start.SameRequest)
            {
                LogKeyReused(orderId);
                return ProblemResults.IdempotencyKeyReused(key, orderId);
            }

            if (!start.AcceptedNow)
            {
                request.HttpContext.Response.Headers[IdempotencyKeyHeader.ReplayedHeader] = "true";
            }

            LogAccepted(orderId, start.AcceptedNow);
            var status = OrderLinks.Status(orderId);
            return new AcceptedResult(status, new OrderAccepted(orderId, key, status, OrderLinks.Cancel(orderId), start.Queued));
        });
    }

    [Function(nameof(GetOrder))]
    [EndpointSummary("Read an order's status")]
    [EndpointDescription("From the order read model when it knows the order, else from the order workflow itself.")]
    [DocumentedParameter(DocumentedParameterAttribute.Path, "id", "Order id as returned by PlaceOrder (ord- and 24 hex digits).")]
    [ProducesResponseType(typeof(OrderStatusView), StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status503ServiceUnavailable, ProblemResults.ContentType)]
    public async Task<IActionResult> GetOrder(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderLinks.Orders + "/{id}")] HttpRequest request,
        string id)
    {
        if (!OrderIds.IsWellFormed(id))
        {
            return ProblemResults.OrderNotFound(id);
        }

        return await WhenTemporalAvailableAsync(request, "The order's status could not be read; retry later.", async () =>
            await statuses.FindAsync(id, request.HttpContext.RequestAborted) is { } view
                ? new OkObjectResult(view)
                : ProblemResults.OrderNotFound(id));
    }

    [Function(nameof(CancelOrder))]
    [EndpointSummary("Cancel an order")]
    [EndpointDescription(
        "Signals the order workflow to cancel; allowed until the payment has been captured, once. " +
        "The body is optional. The outcome (cancelled and refunded, or too late) shows on the status resource.")]
    [DocumentedParameter(DocumentedParameterAttribute.Path, "id", "Order id as returned by PlaceOrder (ord- and 24 hex digits).")]
    [Consumes(typeof(CancelOrderBody), "application/json", IsOptional = true)]
    [ProducesResponseType(typeof(CancellationAccepted), StatusCodes.Status202Accepted, "application/json")]
    [ProducesResponseType(typeof(HttpValidationProblemDetails), StatusCodes.Status400BadRequest, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status409Conflict, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status413PayloadTooLarge, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status415UnsupportedMediaType, ProblemResults.ContentType)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status503ServiceUnavailable, ProblemResults.ContentType)]
    public async Task<IActionResult> CancelOrder(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderLinks.Orders + "/{id}/cancel")] HttpRequest request,
        string id)
    {
        var aborted = request.HttpContext.RequestAborted;
        if (!OrderIds.IsWellFormed(id))
        {
            return ProblemResults.OrderNotFound(id);
        }

        var body = await JsonRequestBody.ReadAsync(request, BodyLimit, allowEmpty: true, OrderRequests.ReadCancel, aborted);
        if (body.Problem is { } bodyProblem)
        {
            return bodyProblem;
        }

        // Outbox hook: an order whose workflow does not exist yet is cancelled where it waits.
        switch (await acceptance.CancelQueuedAsync(id, body.Value!.Reason, aborted))
        {
            case OutboxCancel.CancelledNow:
                LogCancelRequested(id);
                return new AcceptedResult(OrderLinks.Status(id), new CancellationAccepted(id, OrderLinks.Status(id)));
            case OutboxCancel.AlreadyCancelled:
                return ProblemResults.NotCancellable(id, nameof(OrderStatus.Cancelled));
        }

        return await WhenTemporalAvailableAsync(request, "The order was not cancelled; retry later.", async () =>
        {
            var progress = await workflows.QueryProgressAsync(id, aborted);
            if (progress is null)
            {
                return ProblemResults.OrderNotFound(id);
            }

            // The workflow decides in the end (a capture may land between query and signal); the query
            // spares the customer a signal that can only be rejected.
            if (!progress.CanCancel)
            {
                LogCancelRefused(id, progress.Status);
                return ProblemResults.NotCancellable(id, progress.Status.ToString());
            }

            if (!await workflows.SignalCancelAsync(id, new CancelOrderRequest(body.Value!.Reason), aborted))
            {
                return ProblemResults.NotCancellable(id, "finished");
            }

            LogCancelRequested(id);
            return new AcceptedResult(OrderLinks.Status(id), new CancellationAccepted(id, OrderLinks.Status(id)));
        });
    }

    private async Task<IActionResult> WhenTemporalAvailableAsync(HttpRequest request, string consequence, Func<Task<IActionResult>> call)
    {
        try
        {
            return await call();
        }
        catch (TemporalUnavailableException)
        {
            var retryAfter = options.Value.RetryAfter;
            return ProblemResults.TemporarilyUnavailable(
                request.HttpContext.Response,
                retryAfter,
                $"The order service is unreachable. {consequence} (Retry-After: {ProblemResults.RetryAfterSeconds(retryAfter)} s)");
        }
    }

    [LoggerMessage(3000, LogLevel.Information, "Order {OrderId} accepted (new order: {AcceptedNow})")]
    private partial void LogAccepted(string orderId, bool acceptedNow);

    [LoggerMessage(3001, LogLevel.Warning, "Idempotency key of order {OrderId} reused with a different body: refused")]
    private partial void LogKeyReused(string orderId);

    [LoggerMessage(3002, LogLevel.Information, "Cancellation of order {OrderId} signalled")]
    private partial void LogCancelRequested(string orderId);

    [LoggerMessage(3003, LogLevel.Information, "Cancellation of order {OrderId} refused: order is {Status}")]
    private partial void LogCancelRefused(string orderId, OrderStatus status);
}

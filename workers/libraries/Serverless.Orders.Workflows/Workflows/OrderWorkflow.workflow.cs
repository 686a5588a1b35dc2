using Serverless.Catalog;
using Serverless.Naming;
using Serverless.Orders.Activities;
using Serverless.Orders.Contracts;
using Serverless.Orders.Events;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace Serverless.Orders.Workflows;

/// <summary>
/// Reserve inventory → charge payment → confirm the reservation. A business failure ends the order
/// as <see cref="OrderStatus.Failed"/> after compensating what was done (refund, release); a cancel
/// signal is honoured until the payment has been captured. Each state change publishes a domain
/// event (<see cref="OrderEventTypes"/>) through a local activity, run by the worker inside the
/// workflow task that reaches the state (a marker in the history, no task of its own), awaited
/// before the order moves on, so events leave in order and none is skipped. Deterministic code
/// only: time comes from <see cref="Workflow.UtcNow"/>, queues from the workflow's own task queue.
/// </summary>
[Workflow(Name)]
public sealed class OrderWorkflow : IRunsOn
{
    public const string Name = "OrderWorkflow";

    public static ActivityQueue Queue => ActivityQueues.Orders;

    /// <summary>
    /// The patch under which events are published by local activities. Orders started before it
    /// carry no marker and keep publishing through activities on the workflow's queue, so a deploy
    /// never breaks an order in flight; see workers/README.md for retiring it.
    /// </summary>
    public const string EventsAsLocalActivitiesPatch = "order-events-local-activities";

    private readonly List<OrderStep> steps = [];
    private string orderId = string.Empty;
    private string? failureReason;
    private string? cancelReason;
    private bool cancelRequested;
    private int eventsPublished;

    public OrderStatus Status { get; private set; } = OrderStatus.Received;

    [WorkflowQuery]
    public OrderProgress Progress => new(orderId, Status, CanCancel, failureReason, [.. steps]);

    private bool CanCancel => !cancelRequested && IsBeforeCapture(Status);

    [WorkflowSignal]
    public Task CancelAsync(CancelOrderRequest request)
    {
        if (CanCancel)
        {
            cancelRequested = true;
            cancelReason = string.IsNullOrWhiteSpace(request.Reason) ? "cancelled by customer" : request.Reason;
            Record(OrderSteps.Cancel, StepOutcome.Requested, cancelReason);
        }
        else
        {
            Record(OrderSteps.Cancel, StepOutcome.Rejected, cancelRequested ? "already requested" : $"order is {Status}");
        }

        return Task.CompletedTask;
    }

    [WorkflowRun]
    public async Task<OrderOutcome> RunAsync(OrderInput input)
    {
        orderId = input.OrderId;
        Workflow.Logger.OrderReceived(input.OrderId, input.Lines.Count, input.TotalAmount(), input.Currency);
        await PublishAsync(input, OrderEventTypes.OrderPlaced);

        Status = OrderStatus.Reserving;
        var reservation = await TryStepAsync(
            OrderSteps.ReserveInventory,
            () => Workflow.ExecuteActivityAsync(
                (InventoryActivities a) => a.ReserveInventoryAsync(new ReserveInventoryRequest(input.OrderId, input.Lines)),
                ForwardStep(ActivityQueues.Inventory)),
            r => r.ReservationId);
        if (reservation is null)
        {
            return await FailAsync(input, reservation: null, receipt: null);
        }

        await PublishAsync(input, OrderEventTypes.InventoryReserved);
        if (cancelRequested)
        {
            return await CancelOrderAsync(input, reservation, receipt: null);
        }

        Status = OrderStatus.Charging;
        var receipt = await TryStepAsync(
            OrderSteps.ChargePayment,
            () => Workflow.ExecuteActivityAsync(
                (PaymentActivities a) => a.ChargePaymentAsync(new ChargePaymentRequest(
                    input.OrderId, input.CustomerId, input.TotalAmount(), input.Currency, input.PaymentToken)),
                ForwardStep(ActivityQueues.Payments)),
            r => r.ChargeId);
        if (receipt is null)
        {
            return await FailAsync(input, reservation, receipt: null);
        }

        // The money is taken: from here on a cancel is rejected. One that arrived while the charge
        // was in flight came before the capture: honour it.
        Status = OrderStatus.Confirming;
        if (cancelRequested)
        {
            return await CancelOrderAsync(input, reservation, receipt);
        }

        await PublishAsync(input, OrderEventTypes.PaymentCaptured);
        var confirmed = await TryStepAsync(
            OrderSteps.ConfirmReservation,
            async () =>
            {
                await Workflow.ExecuteActivityAsync(
                    (InventoryActivities a) => a.ConfirmReservationAsync(new ConfirmReservationRequest(input.OrderId, reservation.ReservationId)),
                    ForwardStep(ActivityQueues.Inventory));
                return reservation;
            },
            r => r.ReservationId);
        if (confirmed is null)
        {
            return await FailAsync(input, reservation, receipt);
        }

        Status = OrderStatus.Confirmed;
        await PublishAsync(input, OrderEventTypes.OrderConfirmed);
        Workflow.Logger.OrderEnded(input.OrderId, Status, null);
        return new OrderOutcome(input.OrderId, OrderStatus.Confirmed, null, reservation.ReservationId, receipt.ChargeId);
    }

    private static bool IsBeforeCapture(OrderStatus status) =>
        status is OrderStatus.Received or OrderStatus.Reserving or OrderStatus.Charging;

    /// <summary>Runs a forward step; a failure (business or retries given up) is recorded and yields null.</summary>
    private async Task<T?> TryStepAsync<T>(string step, Func<Task<T>> run, Func<T, string> describe)
        where T : class
    {
        try
        {
            var result = await run();
            Record(step, StepOutcome.Succeeded, describe(result));
            return result;
        }
        catch (ActivityFailureException failure)
        {
            failureReason = Describe(failure);
            Record(step, StepOutcome.Failed, failureReason);
            Workflow.Logger.StepFailed(orderId, step, failureReason);
            return null;
        }
    }

    private async Task<OrderOutcome> FailAsync(OrderInput input, Reservation? reservation, PaymentReceipt? receipt)
    {
        await CompensateAsync(input, reservation, receipt);
        Status = OrderStatus.Failed;
        await PublishAsync(input, OrderEventTypes.OrderFailed);
        Workflow.Logger.OrderEnded(input.OrderId, Status, failureReason);
        return new OrderOutcome(input.OrderId, OrderStatus.Failed, failureReason, reservation?.ReservationId, receipt?.ChargeId);
    }

    private async Task<OrderOutcome> CancelOrderAsync(OrderInput input, Reservation reservation, PaymentReceipt? receipt)
    {
        await CompensateAsync(input, reservation, receipt);
        Status = OrderStatus.Cancelled;
        await PublishAsync(input, OrderEventTypes.OrderCancelled);
        Workflow.Logger.OrderEnded(input.OrderId, Status, cancelReason);
        return new OrderOutcome(input.OrderId, OrderStatus.Cancelled, cancelReason, reservation.ReservationId, receipt?.ChargeId);
    }

    /// <summary>Undo in reverse order: money first, then stock. A failed compensation is recorded, not thrown.</summary>
    private async Task CompensateAsync(OrderInput input, Reservation? reservation, PaymentReceipt? receipt)
    {
        Status = OrderStatus.Compensating;
        if (receipt is not null)
        {
            await CompensateStepAsync(
                OrderSteps.RefundPayment,
                () => Workflow.ExecuteActivityAsync(
                    (PaymentActivities a) => a.RefundPaymentAsync(new RefundPaymentRequest(
                        input.OrderId, receipt.ChargeId, input.TotalAmount(), input.Currency)),
                    CompensationStep(ActivityQueues.Payments)));
        }

        if (reservation is not null)
        {
            await CompensateStepAsync(
                OrderSteps.ReleaseInventory,
                () => Workflow.ExecuteActivityAsync(
                    (InventoryActivities a) => a.ReleaseInventoryAsync(new ReleaseInventoryRequest(input.OrderId, reservation.ReservationId)),
                    CompensationStep(ActivityQueues.Inventory)));
        }
    }

    private async Task CompensateStepAsync(string step, Func<Task> run)
    {
        try
        {
            await run();
            Record(step, StepOutcome.Compensated);
        }
        catch (ActivityFailureException failure)
        {
            var reason = $"needs manual attention: {Describe(failure)}";
            Record(step, StepOutcome.Failed, reason);
            Workflow.Logger.CompensationFailed(orderId, step, reason);
        }
    }

    /// <summary>Publishes the order as it stands now; numbered so that consumers can order what they receive.</summary>
    private Task PublishAsync(OrderInput input, string eventType)
    {
        var snapshot = new OrderSnapshot(
            input.OrderId,
            input.CustomerId,
            Status,
            input.TotalAmount(),
            input.Currency,
            Status == OrderStatus.Cancelled ? cancelReason : failureReason,
            [.. steps],
            ++eventsPublished,
            Workflow.UtcNow);
        var request = new PublishOrderEventRequest(eventType, snapshot);
        // Patched is decided once per run (the first call records or finds the marker), so a run
        // never mixes the two ways of publishing.
        return Workflow.Patched(EventsAsLocalActivitiesPatch)
            ? Workflow.ExecuteLocalActivityAsync((OrderEventActivities a) => a.PublishOrderEventAsync(request), EventStep())
            : Workflow.ExecuteActivityAsync((OrderEventActivities a) => a.PublishOrderEventAsync(request), PrePatchEventStep());
    }

    private void Record(string step, StepOutcome outcome, string? detail = null) =>
        steps.Add(new OrderStep(step, outcome, Workflow.UtcNow, detail));

    private static string Describe(ActivityFailureException failure) =>
        failure.InnerException is ApplicationFailureException { ErrorType: { } type } application
            ? $"{type}: {application.Message}"
            : failure.InnerException?.Message ?? failure.Message;

    /// <summary>
    /// Effectful forward steps retry transient faults with backoff and without a deadline: giving up
    /// on a charge whose outcome is unknown would leave money we can neither keep nor refund.
    /// </summary>
    private static ActivityOptions ForwardStep(ActivityQueue queue) => new()
    {
        TaskQueue = ResourceNames.Sibling(Workflow.Info.TaskQueue, queue.Name),
        StartToCloseTimeout = TimeSpan.FromSeconds(60),
        HeartbeatTimeout = TimeSpan.FromSeconds(10),
        RetryPolicy = new RetryPolicy
        {
            InitialInterval = TimeSpan.FromSeconds(1),
            BackoffCoefficient = 2,
            MaximumInterval = TimeSpan.FromMinutes(1),
            NonRetryableErrorTypes = OrderFailures.All,
        },
    };

    /// <summary>
    /// Publishing runs as a local activity and retries until Redis (or the sidecar) takes the event,
    /// with no deadline (no ScheduleToClose, no attempt limit): an order waits rather than skip an
    /// event, and every retry carries the same event id. A hung attempt is cut after 10 s and
    /// retried (the worker heartbeats the workflow task while a local activity runs). Retries
    /// back off inside the worker up to the local retry threshold (1 + 2 + 4 s); beyond it each wait
    /// is a durable timer in the history, so a long outage costs one workflow task per retry (at
    /// most one a minute) instead of holding a workflow task and its slot open, and survives the
    /// worker being restarted.
    /// </summary>
    private static LocalActivityOptions EventStep() => new()
    {
        StartToCloseTimeout = TimeSpan.FromSeconds(10),
        LocalRetryThreshold = TimeSpan.FromSeconds(5),
        RetryPolicy = UntilPublished(),
    };

    /// <summary>How orders started before <see cref="EventsAsLocalActivitiesPatch"/> publish: an activity on the workflow's own queue, retried until Redis takes the event.</summary>
    private static ActivityOptions PrePatchEventStep() => new()
    {
        TaskQueue = Workflow.Info.TaskQueue,
        StartToCloseTimeout = TimeSpan.FromSeconds(30),
        RetryPolicy = UntilPublished(),
    };

    /// <summary>Retries without an attempt limit: an order waits for Redis rather than skip an event.</summary>
    private static RetryPolicy UntilPublished() => new()
    {
        InitialInterval = TimeSpan.FromSeconds(1),
        BackoffCoefficient = 2,
        MaximumInterval = TimeSpan.FromMinutes(1),
    };

    /// <summary>Compensations must eventually happen: same shape, gentler on a struggling system.</summary>
    private static ActivityOptions CompensationStep(ActivityQueue queue)
    {
        var options = ForwardStep(queue);
        options.RetryPolicy!.MaximumInterval = TimeSpan.FromMinutes(5);
        return options;
    }
}

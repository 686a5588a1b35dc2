using Serverless.Orders.Contracts;
using Serverless.Orders.Events;
using Serverless.Orders.Workflows;
using Serverless.Testing.Replay;
using Temporalio.Common;
using Temporalio.Exceptions;
using static Serverless.Orders.Tests.Replay.OrderHistories;

namespace Serverless.Orders.Tests.Replay;

/// <summary>
/// The real <see cref="OrderWorkflow"/> replayed offline on hand-built histories. Each history pins
/// the exact activity sequence of one path, event publications (local activity markers) included:
/// if the code took another path (or skipped or added an event), replay would fail with a
/// nondeterminism error (shown by the last tests).
/// </summary>
public sealed class OrderWorkflowReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_HappyPath_ReservesChargesConfirms()
    {
        var history = Start().Reserved().Charged().Confirmed()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Confirmed, workflow.Status);
        Assert.Equal(
            [OrderSteps.ReserveInventory, OrderSteps.ChargePayment, OrderSteps.ConfirmReservation],
            workflow.Progress.Steps.Select(s => s.Name));
        Assert.All(workflow.Progress.Steps, s => Assert.Equal(StepOutcome.Succeeded, s.Outcome));
        Assert.False(workflow.Progress.CanCancel);
        Assert.Equal(
            [OrderEventTypes.OrderPlaced, OrderEventTypes.InventoryReserved, OrderEventTypes.PaymentCaptured, OrderEventTypes.OrderConfirmed],
            events.Types);
    }

    [Fact]
    public async Task Run_HappyPath_PublishesNumberedSnapshots()
    {
        var history = Start().Reserved().Charged().Confirmed()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (_, events) = await ReplayCleanAsync(history);

        var snapshots = events.Requests.Select(r => r.Order).ToList();
        Assert.Equal([1, 2, 3, 4], snapshots.Select(s => s.Sequence));
        Assert.Equal(
            [OrderStatus.Received, OrderStatus.Reserving, OrderStatus.Confirming, OrderStatus.Confirmed],
            snapshots.Select(s => s.Status));
        Assert.All(snapshots, s => Assert.Equal((Input().OrderId, Input().CustomerId, 26m, "EUR"), (s.OrderId, s.CustomerId, s.TotalAmount, s.Currency)));
        Assert.Equal([0, 1, 2, 3], snapshots.Select(s => s.Steps.Count));
        Assert.Empty(snapshots.SelectMany(s => s.Problems()));
    }

    [Fact]
    public async Task Run_PaymentDeclined_ReleasesInventoryAndFails()
    {
        var history = Start().Reserved()
            .ActivityFails("ChargePayment", Payments, OrderFailures.PaymentDeclined)
            .Released()
            .Published()
            .CompletedWith(Outcome(OrderStatus.Failed, $"{OrderFailures.PaymentDeclined}: rejected", charged: false));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Failed, workflow.Status);
        Assert.StartsWith(OrderFailures.PaymentDeclined, workflow.Progress.FailureReason, StringComparison.Ordinal);
        Assert.Contains(workflow.Progress.Steps, s => s is { Name: OrderSteps.ReleaseInventory, Outcome: StepOutcome.Compensated });
        Assert.DoesNotContain(workflow.Progress.Steps, s => s.Name == OrderSteps.RefundPayment);
        Assert.Equal([OrderEventTypes.OrderPlaced, OrderEventTypes.InventoryReserved, OrderEventTypes.OrderFailed], events.Types);
        Assert.StartsWith(OrderFailures.PaymentDeclined, events.Requests[^1].Order.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OutOfStock_FailsWithoutCompensation()
    {
        var history = Start()
            .ActivityFails("ReserveInventory", Inventory, OrderFailures.OutOfStock)
            .Published()
            .CompletedWith(Outcome(OrderStatus.Failed, $"{OrderFailures.OutOfStock}: rejected", reserved: false, charged: false));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Failed, workflow.Status);
        var step = Assert.Single(workflow.Progress.Steps);
        Assert.Equal((OrderSteps.ReserveInventory, StepOutcome.Failed), (step.Name, step.Outcome));
        Assert.Equal([OrderEventTypes.OrderPlaced, OrderEventTypes.OrderFailed], events.Types);
        Assert.Equal(OrderStatus.Failed, events.Requests[^1].Order.Status);
    }

    [Fact]
    public async Task Run_CancelBeforePayment_ReleasesAndCancels()
    {
        var history = Start()
            .ScheduleActivity("ReserveInventory", Inventory).ActivityCompleted(new Reservation(ReservationId))
            .Signal("Cancel", new CancelOrderRequest("changed my mind")).WorkflowTask()
            .Published()
            .Released()
            .Published()
            .CompletedWith(Outcome(OrderStatus.Cancelled, "changed my mind", charged: false));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Cancelled, workflow.Status);
        Assert.Contains(workflow.Progress.Steps, s => s is { Name: OrderSteps.Cancel, Outcome: StepOutcome.Requested });
        Assert.DoesNotContain(workflow.Progress.Steps, s => s.Name == OrderSteps.ChargePayment);
        Assert.Equal([OrderEventTypes.OrderPlaced, OrderEventTypes.InventoryReserved, OrderEventTypes.OrderCancelled], events.Types);
        Assert.Equal("changed my mind", events.Requests[^1].Order.Reason);
    }

    [Fact]
    public async Task Run_CancelWhileCharging_RefundsReleasesAndCancels()
    {
        var history = Start().Reserved()
            .ScheduleActivity("ChargePayment", Payments).ActivityStarted()
            .Signal("Cancel", new CancelOrderRequest(null))
            .ActivityCompleted(new PaymentReceipt(ChargeId)).WorkflowTask()
            .Refunded()
            .Released()
            .Published()
            .CompletedWith(Outcome(OrderStatus.Cancelled, "cancelled by customer"));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Cancelled, workflow.Status);
        Assert.Equal(
            [OrderSteps.ReserveInventory, OrderSteps.Cancel, OrderSteps.ChargePayment, OrderSteps.RefundPayment, OrderSteps.ReleaseInventory],
            workflow.Progress.Steps.Select(s => s.Name));
        // The charge was refunded straight away: no PaymentCaptured for a capture that was undone.
        Assert.Equal([OrderEventTypes.OrderPlaced, OrderEventTypes.InventoryReserved, OrderEventTypes.OrderCancelled], events.Types);
    }

    [Fact]
    public async Task Run_CancelAfterCapture_IsRejectedAndOrderConfirms()
    {
        var history = Start().Reserved().Charged()
            .ScheduleActivity("ConfirmReservation", Inventory)
            .Signal("Cancel", new CancelOrderRequest("too late"))
            .ActivityCompleted().WorkflowTask()
            .Published()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Confirmed, workflow.Status);
        var cancel = Assert.Single(workflow.Progress.Steps, s => s.Name == OrderSteps.Cancel);
        Assert.Equal(StepOutcome.Rejected, cancel.Outcome);
        Assert.Contains("Confirming", cancel.Detail, StringComparison.Ordinal);
        Assert.Equal(OrderEventTypes.OrderConfirmed, events.Types.Last());
    }

    [Fact]
    public async Task Run_RedisDownWhilePublishingCapture_OrderWaitsAndCancelIsRejected()
    {
        // PaymentCaptured cannot be published: the local retries inside the task give up at the
        // retry threshold, the order waits on a backoff timer (nothing skipped), a cancel arrives
        // meanwhile and is too late (the money is taken), the next attempt publishes.
        var history = Start().Reserved()
            .Activity("ChargePayment", Payments, new PaymentReceipt(ChargeId))
            .LocalActivityBackingOff(PublishOrderEvent, attempt: 4, backoff: TimeSpan.FromSeconds(8))
            .Signal("Cancel", new CancelOrderRequest("too late"))
            .TimerFired().WorkflowTask()
            .LocalActivity(PublishOrderEvent, attempt: 5)
            .Confirmed()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Confirmed, workflow.Status);
        Assert.Equal(StepOutcome.Rejected, Assert.Single(workflow.Progress.Steps, s => s.Name == OrderSteps.Cancel).Outcome);
        // One publication per event: the retries are the SDK's, with the same request (and event id).
        Assert.Equal(
            [OrderEventTypes.OrderPlaced, OrderEventTypes.InventoryReserved, OrderEventTypes.PaymentCaptured, OrderEventTypes.OrderConfirmed],
            events.Types);
    }

    [Fact]
    public async Task Run_TransientFailuresThenSuccess_ContinuesAsHappyPath()
    {
        // Activity retries happen on the server and local ones inside the workflow task: the
        // history only shows the attempt that finally ran.
        var history = Start()
            .ScheduleActivity("ReserveInventory", Inventory).ActivityStarted(attempt: 4).ActivityCompleted(new Reservation(ReservationId)).WorkflowTask()
            .Published()
            .ScheduleActivity("ChargePayment", Payments).ActivityStarted(attempt: 2).ActivityCompleted(new PaymentReceipt(ChargeId)).WorkflowTask()
            .LocalActivity(PublishOrderEvent, attempt: 3)
            .Confirmed()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (workflow, _) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Confirmed, workflow.Status);
    }

    [Fact]
    public async Task Run_ReservationExpiredAfterCharge_RefundsThenReleases()
    {
        var history = Start().Reserved().Charged()
            .ActivityFails("ConfirmReservation", Inventory, OrderFailures.ReservationExpired)
            .Refunded()
            .Released()
            .Published()
            .CompletedWith(Outcome(OrderStatus.Failed, $"{OrderFailures.ReservationExpired}: rejected"));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Failed, workflow.Status);
        Assert.Equal(
            [StepOutcome.Compensated, StepOutcome.Compensated],
            workflow.Progress.Steps.Where(s => s.Name is OrderSteps.RefundPayment or OrderSteps.ReleaseInventory).Select(s => s.Outcome));
        Assert.Equal(OrderEventTypes.OrderFailed, events.Types.Last());
    }

    [Fact]
    public async Task Run_CompensationFails_RecordsManualAttentionAndContinues()
    {
        var history = Start().Reserved().Charged()
            .ActivityFails("ConfirmReservation", Inventory, OrderFailures.ReservationExpired)
            .ActivityFails("RefundPayment", Payments, OrderFailures.ChargeNotFound)
            .Released()
            .Published()
            .CompletedWith(Outcome(OrderStatus.Failed, $"{OrderFailures.ReservationExpired}: rejected"));

        var (workflow, events) = await ReplayCleanAsync(history);

        var refund = Assert.Single(workflow.Progress.Steps, s => s.Name == OrderSteps.RefundPayment);
        Assert.Equal(StepOutcome.Failed, refund.Outcome);
        Assert.Contains("needs manual attention", refund.Detail, StringComparison.Ordinal);
        Assert.Contains(workflow.Progress.Steps, s => s is { Name: OrderSteps.ReleaseInventory, Outcome: StepOutcome.Compensated });
        Assert.Contains(events.Requests[^1].Order.Steps, s => s is { Name: OrderSteps.RefundPayment, Outcome: StepOutcome.Failed });
    }

    [Fact]
    public async Task Progress_AfterReservation_ShowsChargingAndCancellable()
    {
        var (result, capture) = await Replays.ReplayAsync<OrderWorkflow>(Start().Reserved().Open(), cancellationToken: Ct);

        Assert.Null(result.ReplayFailure);
        var workflow = Assert.IsType<OrderWorkflow>(capture.Instance);
        Assert.Equal(OrderStatus.Charging, workflow.Progress.Status);
        Assert.True(workflow.Progress.CanCancel);
        Assert.Equal(ReservationId, Assert.Single(workflow.Progress.Steps).Detail);
    }

    [Fact]
    public async Task Run_HistoryChargesButCodeReleases_FailsWithNondeterminism()
    {
        // The happy history, plus a cancel after the reservation: the code must now release where
        // the history says it charged. A replay test that could not see this would prove nothing.
        var history = Start()
            .ScheduleActivity("ReserveInventory", Inventory).ActivityCompleted(new Reservation(ReservationId))
            .Signal("Cancel", new CancelOrderRequest(null)).WorkflowTask()
            .Published()
            .Charged().Confirmed()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (result, _) = await Replays.ReplayAsync<OrderWorkflow>(history, cancellationToken: Ct);

        var failure = Assert.IsType<WorkflowNondeterminismException>(result.ReplayFailure);
        Assert.Contains("'ChargePayment' does not match activity type of activity command 'ReleaseInventory'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DeclinedHistoryWithoutCompensation_FailsWithNondeterminism()
    {
        // A history in which a declined order simply ends: the code compensates, so it must not replay.
        var history = Start().Reserved()
            .ActivityFails("ChargePayment", Payments, OrderFailures.PaymentDeclined)
            .Published()
            .CompletedWith(Outcome(OrderStatus.Failed, charged: false));

        var (result, _) = await Replays.ReplayAsync<OrderWorkflow>(history, cancellationToken: Ct);

        Assert.IsType<WorkflowNondeterminismException>(result.ReplayFailure);
    }

    [Fact]
    public async Task Run_HistoryWithoutEvents_FailsWithNondeterminism()
    {
        // A history recorded before events were published: the code now publishes OrderPlaced first.
        var history = new HistoryBuilder(OrderWorkflow.Name, Input())
            .Activity("ReserveInventory", Inventory, new Reservation(ReservationId))
            .Activity("ChargePayment", Payments, new PaymentReceipt(ChargeId))
            .Activity("ConfirmReservation", Inventory)
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (result, _) = await Replays.ReplayAsync<OrderWorkflow>(history, cancellationToken: Ct);

        Assert.IsType<WorkflowNondeterminismException>(result.ReplayFailure);
    }

    [Fact]
    public async Task Run_OrderStartedBeforeEventsPatch_HappyPath_PublishesThroughActivitiesAsBefore()
    {
        // An order started by the previous version (no patch marker, publishing activities on the
        // orders queue) must go on working when the new version takes it over mid-run.
        var history = StartBeforePatch()
            .Activity("ReserveInventory", Inventory, new Reservation(ReservationId)).PublishedBeforePatch()
            .Activity("ChargePayment", Payments, new PaymentReceipt(ChargeId)).PublishedBeforePatch()
            .Activity("ConfirmReservation", Inventory).PublishedBeforePatch()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Confirmed, workflow.Status);
        Assert.Empty(events.Requests);
        Assert.Equal(
            [OrderEventTypes.OrderPlaced, OrderEventTypes.InventoryReserved, OrderEventTypes.PaymentCaptured, OrderEventTypes.OrderConfirmed],
            events.ThroughActivities.Select(r => r.EventType));
        Assert.Equal([1, 2, 3, 4], events.ThroughActivities.Select(r => r.Order.Sequence));
    }

    [Fact]
    public async Task Run_OrderStartedBeforeEventsPatch_DeclinedAfterTheDeploy_CompensatesThroughActivities()
    {
        // Started and reserved by the previous version; the new version takes over for the charge,
        // which is declined: the order compensates and still publishes OrderFailed as an activity.
        var history = StartBeforePatch()
            .Activity("ReserveInventory", Inventory, new Reservation(ReservationId)).PublishedBeforePatch()
            .ActivityFails("ChargePayment", Payments, OrderFailures.PaymentDeclined)
            .Released()
            .PublishedBeforePatch()
            .CompletedWith(Outcome(OrderStatus.Failed, $"{OrderFailures.PaymentDeclined}: rejected", charged: false));

        var (workflow, events) = await ReplayCleanAsync(history);

        Assert.Equal(OrderStatus.Failed, workflow.Status);
        Assert.Empty(events.Requests);
        Assert.Equal([OrderEventTypes.OrderPlaced, OrderEventTypes.InventoryReserved, OrderEventTypes.OrderFailed], events.ThroughActivities.Select(r => r.EventType));
    }

    [Fact]
    public async Task Run_PatchedHistoryPublishingThroughActivities_FailsWithNondeterminism()
    {
        // A run that took the events patch publishes by local activities only: an activity task
        // for an event in such a history is not what the code does.
        var history = Patched().PublishedBeforePatch()
            .Reserved().Charged().Confirmed()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (result, _) = await Replays.ReplayAsync<OrderWorkflow>(history, cancellationToken: Ct);

        Assert.IsType<WorkflowNondeterminismException>(result.ReplayFailure);
    }

    [Fact]
    public async Task Run_HistoryWithPatchOfAnotherName_FailsWithNondeterminism()
    {
        // The first workflow task recorded some other patch where the code records the events patch.
        var history = new HistoryBuilder(OrderWorkflow.Name, Input()).Patched("some-other-change").Published()
            .Reserved().Charged().Confirmed()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (result, _) = await Replays.ReplayAsync<OrderWorkflow>(history, cancellationToken: Ct);

        Assert.NotNull(result.ReplayFailure);
    }

    [Fact]
    public async Task Run_MarkerOfAnotherActivityType_FailsWithNondeterminism()
    {
        // The marker where OrderPlaced is published names another local activity.
        var history = Patched()
            .LocalActivity("NotifyCustomer")
            .Reserved().Charged().Confirmed()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (result, _) = await Replays.ReplayAsync<OrderWorkflow>(history, cancellationToken: Ct);

        var failure = Assert.IsType<WorkflowNondeterminismException>(result.ReplayFailure);
        Assert.Contains("'NotifyCustomer' does not match activity type of local activity command 'PublishOrderEvent'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HistoryMissingCaptureMarker_FailsWithNondeterminism()
    {
        // The happy path without the PaymentCaptured marker: an event the code publishes is not in the history.
        var history = Start().Reserved()
            .Activity("ChargePayment", Payments, new PaymentReceipt(ChargeId))
            .Confirmed()
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (result, _) = await Replays.ReplayAsync<OrderWorkflow>(history, cancellationToken: Ct);

        Assert.IsType<WorkflowNondeterminismException>(result.ReplayFailure);
    }

    [Fact]
    public async Task Run_HistoryMissingTerminalEvent_FailsWithNondeterminism()
    {
        // A confirmed order whose history ends without OrderConfirmed: the code must publish it.
        var history = Start().Reserved().Charged()
            .Activity("ConfirmReservation", Inventory)
            .CompletedWith(Outcome(OrderStatus.Confirmed));

        var (result, _) = await Replays.ReplayAsync<OrderWorkflow>(history, cancellationToken: Ct);

        Assert.IsType<WorkflowNondeterminismException>(result.ReplayFailure);
    }

    private static async Task<(OrderWorkflow Workflow, PublishedEvents Events)> ReplayCleanAsync(WorkflowHistory history)
    {
        var events = new PublishedEvents();
        var (result, capture) = await Replays.ReplayAsync<OrderWorkflow>(history, [events], Ct);
        Assert.Null(result.ReplayFailure);
        Assert.Null(capture.WorkflowException);
        return (Assert.IsType<OrderWorkflow>(capture.Instance), events);
    }
}

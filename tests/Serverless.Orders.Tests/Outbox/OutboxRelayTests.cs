using Serverless.Orders.Contracts;
using Serverless.Orders.Outbox;
using Serverless.Outbox.RelayHost;
using Serverless.Testing;
using Serverless.Testing.Fixtures;

namespace Serverless.Orders.Tests.Outbox;

/// <summary>
/// The relay over a real PostgreSQL outbox, starting through the recording seam (a stand-in for
/// Temporal that keeps its one-start-per-workflow-id rule): never a lost order, never a second start.
/// These test the relay's logic, not Temporal; the live test with a Temporal server is in the functions tests.
/// </summary>
public sealed class OutboxRelayTests(SharedPostgres postgres)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Relay_TemporalRefusesThenAccepts_StartsEveryQueuedOrderExactlyOnce()
    {
        await using var bed = OutboxBed.Create(postgres);
        var orders = await bed.EnqueueAsync(40);
        var seam = new RefusingStarter(bed.Recorder);

        await bed.StartRelayAsync(seam);
        await Eventually.TrueAsync(() => seam.Refusals >= 2 * orders.Count, Bound, "every order refused at least twice");
        var queuedDuringOutage = await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE state = 'queued'");
        seam.Refusing = false;
        await Eventually.TrueAsync(
            async () => await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE state = 'started'") == orders.Count, Bound, "every order started");

        Assert.Equal(orders.Count, queuedDuringOutage);
        Assert.Equal(0, await bed.StartedOtherThanOnceAsync(orders));
        Assert.Equal(orders.Count, await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE attempts >= 3"));
    }

    [Fact]
    public async Task Relay_TwoRacing_ClaimEachOrderOnceAndStartItOnce()
    {
        await using var bed = OutboxBed.Create(postgres);
        var orders = await bed.EnqueueAsync(300);

        await Task.WhenAll(bed.StartRelayAsync(), bed.StartRelayAsync());
        await Eventually.TrueAsync(
            async () => await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE state = 'started'") == orders.Count, Bound, "every order started");

        Assert.Equal(0, await bed.StartedOtherThanOnceAsync(orders));
        // SKIP LOCKED: not even a refused second start; each row was claimed by one relay.
        Assert.Equal(orders.Count, await bed.CountAsync("SELECT count(*) FROM seam_calls"));
    }

    [Fact]
    public async Task Relay_OrderCancelledWhileQueued_NeverStartsIt()
    {
        await using var bed = OutboxBed.Create(postgres);
        var orders = await bed.EnqueueAsync(2);
        var cancelled = orders[0].OrderId;

        var outcome = await bed.Outbox.CancelQueuedAsync(cancelled, "changed my mind", TestContext.Current.CancellationToken);
        await bed.StartRelayAsync();
        await Eventually.TrueAsync(
            async () => await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE state = 'started'") == 1, Bound, "the other order started");
        var again = await bed.Outbox.CancelQueuedAsync(cancelled, null, TestContext.Current.CancellationToken);
        var ofStarted = await bed.Outbox.CancelQueuedAsync(orders[1].OrderId, null, TestContext.Current.CancellationToken);

        Assert.Equal((OutboxCancel.CancelledNow, OutboxCancel.AlreadyCancelled, OutboxCancel.NotQueued), (outcome, again, ofStarted));
        Assert.Equal(0, await bed.CountAsync($"SELECT count(*) FROM seam_calls WHERE workflow_id = '{cancelled}'"));
        Assert.Equal(OutboxState.Cancelled, (await bed.Outbox.FindAsync(cancelled, TestContext.Current.CancellationToken))?.State);
    }

    [Fact]
    public async Task Relay_WorkflowExistsForAnotherOrder_MarksTheRowConflictAndStartsNothing()
    {
        await using var bed = OutboxBed.Create(postgres);
        var queued = (await bed.EnqueueAsync(1))[0];
        await bed.Recorder.StartAsync(queued with { CustomerId = "someone-else" }, TestContext.Current.CancellationToken);

        await bed.StartRelayAsync();
        await Eventually.TrueAsync(
            async () => await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE state = 'conflict'") == 1, Bound, "the row marked conflict");

        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM seam_calls WHERE outcome = 'started'"));
    }

    [Fact]
    public async Task Enqueue_SameOrderConcurrently_WritesOneRowAndAnswersEveryCaller()
    {
        await using var bed = OutboxBed.Create(postgres);
        var order = OutboxBed.NewOrder(1);
        var intent = new OutboxOrder(order, "key", Workflows.OrderStarter.RequestFingerprint(order), "corr-1", "dev");
        var other = intent with { Input = order with { Currency = "USD" }, Fingerprint = Workflows.OrderStarter.RequestFingerprint(order with { Currency = "USD" }) };

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            bed.Outbox.EnqueueAsync(i % 2 == 0 ? intent : other, TimeSpan.Zero, TestContext.Current.CancellationToken)));

        Assert.Single(answers, a => a.QueuedNow);
        // Half sent the winner's body, half the other one: only the first half is the same order.
        Assert.Equal((10, 10), (answers.Count(a => a.SameRequest), answers.Count(a => !a.SameRequest)));
        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM order_outbox"));
    }

    [Fact]
    public async Task Relay_FinishedRowsPastRetention_PurgesThemAndKeepsQueuedOnes()
    {
        await using var bed = OutboxBed.Create(postgres);
        var orders = await bed.EnqueueAsync(3);
        await bed.Outbox.CancelQueuedAsync(orders[0].OrderId, null, TestContext.Current.CancellationToken);
        await bed.CountAsync($"WITH aged AS (UPDATE order_outbox SET accepted_at = accepted_at - interval '2 hours', next_attempt_at = next_attempt_at + interval '1 hour' WHERE order_id <> '{orders[2].OrderId}' RETURNING 1) SELECT count(*) FROM aged");

        await bed.StartRelayAsync(overrides: new Dictionary<string, string?> { ["Outbox:Relay:Retention"] = "01:00:00" });
        await Eventually.TrueAsync(
            async () => await bed.CountAsync("SELECT count(*) FROM order_outbox") == 2, Bound, "the aged cancelled row purged");
        await Eventually.TrueAsync(
            async () => await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE state = 'started'") == 1, Bound, "the fresh order started");

        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM order_outbox WHERE state = 'queued'"));
    }

    /// <summary>Refuses every start like an unreachable Temporal until <see cref="Refusing"/> is cleared, then records through the seam.</summary>
    private sealed class RefusingStarter(RecordingStarter inner) : IOrderWorkflowStarter
    {
        private int refusals;
        private volatile bool refusing = true;

        public bool Refusing
        {
            get => refusing;
            set => refusing = value;
        }

        public int Refusals => Volatile.Read(ref refusals);

        public Task<WorkflowStartResult> StartAsync(OrderInput input, CancellationToken cancellationToken)
        {
            if (Refusing)
            {
                Interlocked.Increment(ref refusals);
                throw new SeamUnavailableException("connection refused (test outage)");
            }

            return inner.StartAsync(input, cancellationToken);
        }
    }
}

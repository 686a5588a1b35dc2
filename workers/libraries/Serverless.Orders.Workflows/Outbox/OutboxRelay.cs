using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Platform.Correlation;
using Serverless.Platform.Environments;

namespace Serverless.Orders.Outbox;

/// <summary>
/// Starts the workflow of every queued order. A claim locks a batch of due rows (skipping rows
/// other relays hold), starts each with the order id as workflow id and commits the outcomes in the
/// same transaction: a relay killed anywhere leaves each row started or still queued, and a start
/// that reached Temporal before the kill is found already started next time (counted as done, never
/// a second order). Rows Temporal did not take are retried with per-row exponential backoff.
/// A batch, once claimed, is finished on shutdown (bounded by <see cref="OutboxRelayOptions.StartTimeout"/>).
/// </summary>
public sealed partial class OutboxRelay(
    OrderOutbox outbox,
    IOrderWorkflowStarter starter,
    OutboxMetrics metrics,
    IOptions<OutboxRelayOptions> options,
    IOptions<ServerlessEnvironmentOptions> environment,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    // Bounded so a first purge after a long pause never holds many row locks at once.
    private const int PurgeBatch = 1000;

    private OutboxRelayOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var databaseDelay = Options.PollInterval;
        var backlogReadAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                var claimed = await RelayBatchAsync(stoppingToken);
                if (time.GetUtcNow() - backlogReadAt >= Options.PollInterval)
                {
                    metrics.Observe(await outbox.BacklogAsync(stoppingToken));
                    await outbox.PurgeFinishedAsync(Options.Retention, PurgeBatch, stoppingToken);
                    backlogReadAt = time.GetUtcNow();
                }

                // A full batch means more rows are probably due: claim again at once.
                delay = claimed == Options.BatchSize ? TimeSpan.Zero : Options.PollInterval;
                databaseDelay = Options.PollInterval;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogDatabaseFailed(databaseDelay, e.Message);
                delay = databaseDelay;
                databaseDelay = TimeSpan.FromTicks(Math.Min(databaseDelay.Ticks * 2, Options.RetryMaxDelay.Ticks));
            }

            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, time, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims, starts and completes one batch; the number of rows claimed.</summary>
    private async Task<int> RelayBatchAsync(CancellationToken stoppingToken)
    {
        await using var claim = await outbox.ClaimAsync(environment.Value.Environment, Options.BatchSize, stoppingToken);
        if (claim.Orders.Count == 0)
        {
            return 0;
        }

        var starts = await Task.WhenAll(claim.Orders.Select(StartAsync));
        await claim.CompleteAsync(starts, Options.RetryBaseDelay, Options.RetryMaxDelay, CancellationToken.None);
        foreach (var start in starts)
        {
            metrics.Relayed(start.Outcome);
        }

        return claim.Orders.Count;
    }

    private async Task<ClaimedStart> StartAsync(ClaimedOrder order)
    {
        var orderId = order.Input.OrderId;
        CorrelationId.Current = order.CorrelationId;
        using var deadline = new CancellationTokenSource(Options.StartTimeout, time);
        try
        {
            switch (await starter.StartAsync(order.Input, deadline.Token))
            {
                case WorkflowStartResult.AlreadyStartedForOtherOrder:
                    LogConflict(orderId);
                    return new ClaimedStart(orderId, StartOutcome.Conflict, "a workflow with this id runs another order (same idempotency key, other body)");
                case var result:
                    LogStarted(orderId, result == WorkflowStartResult.StartedNow, order.Attempts + 1);
                    return new ClaimedStart(orderId, StartOutcome.Started);
            }
        }
        catch (Exception e)
        {
            var reason = deadline.IsCancellationRequested ? $"no answer within {Options.StartTimeout}" : e.Message;
            LogStartFailed(orderId, order.Attempts + 1, reason);
            return new ClaimedStart(orderId, StartOutcome.Failed, reason);
        }
    }

    [LoggerMessage(4200, LogLevel.Information, "Queued order {OrderId} started (new workflow: {StartedNow}, attempt {Attempt})")]
    private partial void LogStarted(string orderId, bool startedNow, int attempt);

    [LoggerMessage(4201, LogLevel.Warning, "Queued order {OrderId} not started (attempt {Attempt}), retried after a backoff: {Reason}")]
    private partial void LogStartFailed(string orderId, int attempt, string reason);

    [LoggerMessage(4202, LogLevel.Error, "Queued order {OrderId} conflicts with an existing workflow of another order: not started")]
    private partial void LogConflict(string orderId);

    [LoggerMessage(4203, LogLevel.Warning, "Outbox unreachable, next claim in {Delay}: {Error}")]
    private partial void LogDatabaseFailed(TimeSpan delay, string error);
}

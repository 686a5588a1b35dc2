using Temporalio.Activities;

namespace Serverless.Orders.Activities;

/// <summary>
/// Keeps an activity visibly alive while it waits on a slow external call. Heartbeats are how
/// Temporal notices a dead worker quickly (the heartbeat timeout, not the start-to-close timeout)
/// and how a cancellation reaches a running activity.
/// </summary>
public static class ActivityHeartbeats
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(3);

    public static async Task<T> WhileRunningAsync<T>(Func<CancellationToken, Task<T>> work)
    {
        var context = ActivityExecutionContext.Current;
        var interval = IntervalFor(context.Info.HeartbeatTimeout);
        // The work observes the activity's token: it is cancelled when the workflow cancels the
        // activity, or when the worker's graceful shutdown period has run out.
        var running = work(context.CancellationToken);
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(interval, CancellationToken.None));
            if (!running.IsCompleted)
            {
                context.Heartbeat();
            }
        }

        return await running;
    }

    /// <summary>A third of the heartbeat timeout leaves room for two lost heartbeats.</summary>
    public static TimeSpan IntervalFor(TimeSpan? heartbeatTimeout) =>
        heartbeatTimeout is { } timeout && timeout > TimeSpan.Zero ? timeout / 3 : DefaultInterval;
}

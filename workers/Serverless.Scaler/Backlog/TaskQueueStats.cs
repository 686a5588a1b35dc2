using Microsoft.Extensions.Options;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace Serverless.Scaler.Backlog;

/// <summary>
/// What the server says about one type of a task queue (platform-semantics.md §9.1). A server that
/// returns no stats (older than the stats API, §3.4) reads as all zero.
/// </summary>
public sealed record TaskQueueTypeStats(long ApproximateBacklog, TimeSpan BacklogAge, double TasksAddRate)
{
    public static TaskQueueTypeStats None { get; } = new(0, TimeSpan.Zero, 0);

    /// <summary>
    /// Tasks waiting. The count is approximate and converges late; a backlog whose head task has an
    /// age holds at least that task, so it never reads as empty.
    /// </summary>
    public long Waiting => BacklogAge > TimeSpan.Zero ? Math.Max(ApproximateBacklog, 1) : ApproximateBacklog;
}

/// <summary>Where task-queue stats come from: the Temporal frontend in production.</summary>
public interface ITaskQueueStats
{
    Task<TaskQueueTypeStats> ReadAsync(string @namespace, string taskQueue, TaskQueueType type, CancellationToken cancellationToken);
}

/// <summary>
/// DescribeTaskQueue with <c>reportStats</c>, as KEDA's temporal scaler calls it (§3.2). Reads of one
/// (namespace, task queue, type) are shared for <see cref="ScalerOptions.TaskQueueStatsMaxAge"/>, so
/// the frontend sees at most about one call per type per that age from this scaler, however many
/// callers ask (README: call rate).
/// </summary>
public sealed class TemporalTaskQueueStats(IServiceProvider services, IOptions<ScalerOptions> options, TimeProvider time) : ITaskQueueStats
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly SharedReads<(string Namespace, string TaskQueue, TaskQueueType Type), TaskQueueTypeStats> reads =
        new(options.Value.TaskQueueStatsMaxAge, time);

    public Task<TaskQueueTypeStats> ReadAsync(string @namespace, string taskQueue, TaskQueueType type, CancellationToken cancellationToken)
    {
        var client = services.GetService<ITemporalClient>()
            ?? throw new InvalidOperationException("A temporal target was requested but Temporal:Address is not configured for the scaler.");
        return reads.GetAsync((@namespace, taskQueue, type), () => DescribeAsync(client, @namespace, taskQueue, type), cancellationToken);
    }

    private static async Task<TaskQueueTypeStats> DescribeAsync(ITemporalClient client, string @namespace, string taskQueue, TaskQueueType type)
    {
        var response = await client.WorkflowService.DescribeTaskQueueAsync(
            new DescribeTaskQueueRequest
            {
                Namespace = @namespace,
                TaskQueue = new TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
                TaskQueueType = type,
                ReportStats = true,
            },
            new RpcOptions { Timeout = CallTimeout });
        return response.Stats is { } stats
            ? new TaskQueueTypeStats(stats.ApproximateBacklogCount, stats.ApproximateBacklogAge?.ToTimeSpan() ?? TimeSpan.Zero, stats.TasksAddRate)
            : TaskQueueTypeStats.None;
    }
}

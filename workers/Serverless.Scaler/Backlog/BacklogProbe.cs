using StackExchange.Redis;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace Serverless.Scaler.Backlog;

/// <summary>Reads the backlog of a target exactly as KEDA's built-in scaler for that source would.</summary>
public sealed class BacklogProbe(IConnectionMultiplexer redis, IServiceProvider services)
{
    public Task<double> ReadAsync(ScalerTarget target, CancellationToken cancellationToken) => target switch
    {
        StreamTarget stream => ReadStreamAsync(stream),
        TaskQueueTarget queue => ReadTaskQueueAsync(queue, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "unknown target kind"),
    };

    /// <summary>
    /// Lag mode of the redis-streams scaler (§4.2): the group's <c>lag</c> from XINFO GROUPS; a
    /// missing stream is 0; a missing group is the stream length (nothing was ever read).
    /// </summary>
    private async Task<double> ReadStreamAsync(StreamTarget target)
    {
        var database = redis.GetDatabase();
        StreamGroupInfo[] groups;
        try
        {
            groups = await database.StreamGroupInfoAsync(target.Stream);
        }
        catch (RedisServerException e) when (e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        var group = groups.FirstOrDefault(g => g.Name == target.ConsumerGroup);
        if (group.Name is null)
        {
            return await database.StreamLengthAsync(target.Stream);
        }

        // Redis reports lag as NULL when it cannot compute it (entries trimmed or deleted past the
        // group's position). KEDA then reads 0 and may miss work (§4.3); we err on the side of
        // waking up and report the stream length instead.
        return group.Lag ?? await database.StreamLengthAsync(target.Stream);
    }

    /// <summary>The temporal scaler's unversioned mode (§3.2): one DescribeTaskQueue per type, backlog summed.</summary>
    private async Task<double> ReadTaskQueueAsync(TaskQueueTarget target, CancellationToken cancellationToken)
    {
        var client = services.GetService<ITemporalClient>()
            ?? throw new InvalidOperationException("A temporal target was requested but Temporal:Address is not configured for the scaler.");
        double backlog = 0;
        foreach (var type in target.QueueTypes)
        {
            var response = await client.WorkflowService.DescribeTaskQueueAsync(
                new DescribeTaskQueueRequest
                {
                    Namespace = target.Namespace,
                    TaskQueue = new TaskQueue { Name = target.TaskQueue, Kind = Temporalio.Api.Enums.V1.TaskQueueKind.Normal },
                    TaskQueueType = type,
                    ReportStats = true,
                },
                new RpcOptions { CancellationToken = cancellationToken, Timeout = TimeSpan.FromSeconds(5) });
            backlog += response.Stats?.ApproximateBacklogCount ?? 0;
        }

        return backlog;
    }
}

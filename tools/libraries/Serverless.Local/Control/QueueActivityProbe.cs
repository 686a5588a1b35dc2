using Serverless.Scaling.Policy;
using StackExchange.Redis;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace Serverless.Local.Control;

/// <summary>What a queue is doing beyond its backlog, for the live view.</summary>
/// <param name="ProcessedPerSecond">A stream group's <c>entries-read</c> growth, or Temporal's own dispatch rate of a task queue (averaged by the server over ~30 s, §9.1).</param>
/// <param name="InFlight">Stream entries delivered and not yet acknowledged (the group's pending list); the backlog metrics do not count them (§4.3).</param>
public sealed record QueueActivity(double? ProcessedPerSecond, long? InFlight);

public sealed class QueueActivityProbe(IConnectionMultiplexer redis, ITemporalClient temporal, string environment, string temporalNamespace)
{
    private readonly Dictionary<string, (long EntriesRead, DateTimeOffset At)> previous = new(StringComparer.Ordinal);

    public async Task<QueueActivity> ReadAsync(QueuePolicy queue, CancellationToken cancellationToken)
    {
        try
        {
            return queue.Source switch
            {
                RedisStreamSource stream => await StreamActivityAsync(queue.Name, stream),
                TemporalQueueSource taskQueue => new QueueActivity(await TaskQueueRateAsync(taskQueue, cancellationToken), null),
                _ => new QueueActivity(null, null),
            };
        }
        catch (Exception e) when (e is RedisException or Temporalio.Exceptions.RpcException or TimeoutException)
        {
            return new QueueActivity(null, null);
        }
    }

    private async Task<QueueActivity> StreamActivityAsync(string key, RedisStreamSource stream)
    {
        var groups = await redis.GetDatabase().StreamGroupInfoAsync(stream.PhysicalStream(environment));
        var group = groups.FirstOrDefault(g => g.Name == stream.ConsumerGroup);
        if (group.Name is null || group.EntriesRead is not { } read)
        {
            return new QueueActivity(null, null);
        }

        var now = DateTimeOffset.UtcNow;
        double? rate = previous.TryGetValue(key, out var last) && now > last.At
            ? (read - last.EntriesRead) / (now - last.At).TotalSeconds
            : null;
        previous[key] = (read, now);
        return new QueueActivity(rate, group.PendingMessageCount);
    }

    private async Task<double?> TaskQueueRateAsync(TemporalQueueSource source, CancellationToken cancellationToken)
    {
        if (!temporal.Connection.IsConnected)
        {
            return null;
        }

        double rate = 0;
        foreach (var type in source.QueueTypes)
        {
            var response = await temporal.WorkflowService.DescribeTaskQueueAsync(
                new DescribeTaskQueueRequest
                {
                    Namespace = temporalNamespace,
                    TaskQueue = new TaskQueue { Name = source.PhysicalName(environment), Kind = Temporalio.Api.Enums.V1.TaskQueueKind.Normal },
                    TaskQueueType = type switch
                    {
                        TemporalQueueType.Workflow => Temporalio.Api.Enums.V1.TaskQueueType.Workflow,
                        TemporalQueueType.Activity => Temporalio.Api.Enums.V1.TaskQueueType.Activity,
                        _ => Temporalio.Api.Enums.V1.TaskQueueType.Nexus,
                    },
                    ReportStats = true,
                },
                new RpcOptions { CancellationToken = cancellationToken, Timeout = TimeSpan.FromSeconds(3) });
            rate += response.Stats?.TasksDispatchRate ?? 0;
        }

        return rate;
    }
}

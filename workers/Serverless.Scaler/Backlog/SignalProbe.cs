using Serverless.Platform.Redis;
using Serverless.Scaler.Signals;
using StackExchange.Redis;
using Temporalio.Api.Enums.V1;

namespace Serverless.Scaler.Backlog;

/// <summary>What the HPA sizes on (<see cref="Metric"/>) and what KEDA activates on (<see cref="IsActive"/>).</summary>
public readonly record struct SignalReading(double Metric, bool IsActive);

/// <summary>
/// Reads a target's signal: with <see cref="ScalingSignal.Backlog"/> exactly what KEDA's built-in
/// scaler for that source reads; with <see cref="ScalingSignal.Work"/> outstanding work, and activity
/// that also holds for the activation window after the last arrival.
/// </summary>
public sealed class SignalProbe(IConnectionMultiplexer redis, ITaskQueueStats taskQueues, InFlightLeases leases, ArrivalClock arrivals)
{
    public async Task<SignalReading> ReadAsync(ScalerTarget target, CancellationToken cancellationToken)
    {
        var metric = target switch
        {
            StreamTarget stream => await ReadStreamAsync(stream),
            TaskQueueTarget queue => await ReadTaskQueueAsync(queue, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "unknown target kind"),
        };
        return new SignalReading(metric, target.IsActive(metric) || arrivals.ArrivedWithin(target.SignalKey, target.ActivationWindow));
    }

    /// <summary>
    /// Lag mode of the redis-streams scaler (§4.2): the group's <c>lag</c> from XINFO GROUPS; a
    /// missing stream is 0; a missing group is the stream length (nothing was ever read). The work
    /// signal adds the group's <c>pending</c> from the same reply: entries a consumer holds and has
    /// not acknowledged are work in flight (§4.3).
    /// </summary>
    private async Task<double> ReadStreamAsync(StreamTarget target)
    {
        var database = redis.GetDatabase();
        StreamGroupInfo[] groups;
        try
        {
            groups = await database.StreamGroupInfoAsync(target.Stream);
        }
        catch (RedisServerException e) when (IsMissingKey(e))
        {
            return 0;
        }

        if (target.Signal == ScalingSignal.Work)
        {
            await ObserveArrivalsAsync(database, target.Stream);
        }

        var group = groups.FirstOrDefault(g => g.Name == target.ConsumerGroup);
        if (group.Name is null)
        {
            return await database.StreamLengthAsync(target.Stream);
        }

        // Redis reports lag as NULL when it cannot compute it (entries trimmed or deleted past the
        // group's position). KEDA then reads 0 and may miss work (§4.3); we err on the side of
        // waking up and report the stream length instead.
        var waiting = group.Lag ?? await database.StreamLengthAsync(target.Stream);
        return target.Signal == ScalingSignal.Work ? waiting + group.PendingMessageCount : waiting;
    }

    private async Task ObserveArrivalsAsync(IDatabase database, string stream)
    {
        try
        {
            arrivals.ObserveEntriesAdded(stream, (await database.StreamInfoAsync(stream)).EntriesAdded);
        }
        catch (RedisServerException e) when (IsMissingKey(e))
        {
            // Deleted between the two reads: nothing arrived that could be counted.
        }
    }

    /// <summary>
    /// The temporal scaler's unversioned mode (§3.2): DescribeTaskQueue per selected type, backlog
    /// summed. The work signal counts each type's waiting tasks plus the slots the queue's live
    /// workers use for that type (their leases, §3.4: running tasks are in no backlog), and an add
    /// rate above zero as an arrival.
    /// </summary>
    private async Task<double> ReadTaskQueueAsync(TaskQueueTarget target, CancellationToken cancellationToken)
    {
        var stats = await Task.WhenAll(target.QueueTypes.Select(type => taskQueues.ReadAsync(target.Namespace, target.TaskQueue, type, cancellationToken)));
        if (target.Signal == ScalingSignal.Backlog)
        {
            return stats.Sum(s => s.ApproximateBacklog);
        }

        if (stats.Any(s => s.TasksAddRate > 0))
        {
            arrivals.Arrived(target.SignalKey);
        }

        var slots = await leases.ReadAsync(target.TaskQueue);
        return stats.Sum(s => s.Waiting) + target.QueueTypes.Sum(type => UsedSlots(slots, type));
    }

    /// <summary>Workers report workflow and activity slots; nexus tasks have no slots of their own there.</summary>
    private static int UsedSlots(TaskQueueSlots slots, TaskQueueType type) => type switch
    {
        TaskQueueType.Workflow => slots.WorkflowUsed,
        TaskQueueType.Activity => slots.ActivityUsed,
        _ => 0,
    };

    private static bool IsMissingKey(RedisServerException e) => e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase);
}

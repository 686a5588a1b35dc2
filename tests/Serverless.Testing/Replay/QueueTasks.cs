using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Serverless.Testing.Replay;

/// <summary>
/// The tasks a history put on one task queue's pool: each one a Temporal round trip and a slot of
/// that pool. A workflow task counts whether it went to the queue or to a worker's sticky queue
/// (whose normal name is the queue); a local activity is a marker inside a workflow task and adds none.
/// </summary>
public sealed record QueueTasks(int WorkflowTasks, int ActivityTasks)
{
    public int Total => WorkflowTasks + ActivityTasks;

    public static QueueTasks On(IEnumerable<HistoryEvent> history, string taskQueue)
    {
        var events = history.ToList();
        return new(
            events.Count(e => e.EventType == EventType.WorkflowTaskScheduled && IsOn(e.WorkflowTaskScheduledEventAttributes.TaskQueue, taskQueue)),
            events.Count(e => e.EventType == EventType.ActivityTaskScheduled && IsOn(e.ActivityTaskScheduledEventAttributes.TaskQueue, taskQueue)));
    }

    private static bool IsOn(Temporalio.Api.TaskQueue.V1.TaskQueue? queue, string taskQueue) =>
        queue is not null && (queue.Name == taskQueue || queue.NormalName == taskQueue);
}

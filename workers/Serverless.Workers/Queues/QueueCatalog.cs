using Serverless.Orders.Activities;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;

namespace Serverless.Workers.Queues;

/// <summary>
/// What may run on a logical task queue. <see cref="Activities"/> are polled from the queue;
/// <see cref="LocalActivities"/> are run by the workflows inside their own workflow tasks, so they
/// are registered wherever one of the queue's workflows is and never add a task to the queue.
/// </summary>
public sealed record QueueDefinition(string Name, IReadOnlyList<Type> Workflows, IReadOnlyList<Type> Activities, IReadOnlyList<Type> LocalActivities);

/// <summary>
/// The one place that says which workflows and activities belong to which task queue. The workflow
/// schedules each activity on its home queue, so registering an activity elsewhere would only
/// create a poller that never gets work: configuration may pick subsets, not move things.
/// </summary>
public static class QueueCatalog
{
    public static IReadOnlyDictionary<string, QueueDefinition> Queues { get; } = new Dictionary<string, QueueDefinition>(StringComparer.Ordinal)
    {
        // New orders publish their events as local activities (workflow tasks only on this queue);
        // orders started before OrderWorkflow.EventsAsLocalActivitiesPatch still schedule them as
        // activities here, so the pool keeps polling for those until the patch is retired.
        [TaskQueueNames.Orders] = new(TaskQueueNames.Orders, [typeof(OrderWorkflow)], [typeof(OrderEventActivities)], [typeof(OrderEventActivities)]),
        [TaskQueueNames.Payments] = new(TaskQueueNames.Payments, [], [typeof(PaymentActivities)], []),
        [TaskQueueNames.Inventory] = new(TaskQueueNames.Inventory, [], [typeof(InventoryActivities)], []),
    };

    public static string WorkflowName(Type workflow) => workflow.Name;

    public static string ActivitySetName(Type activities) => activities.Name;
}

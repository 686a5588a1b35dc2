using System.Reflection;
using Serverless.Catalog;
using Serverless.Orders;
using Serverless.Orders.Workflows;
using Temporalio.Workflows;

namespace Serverless.Workers.Queues;

/// <summary>
/// What may run on a logical task queue. <see cref="Activities"/> are polled from the queue;
/// <see cref="LocalActivities"/> are run by the workflows inside their own workflow tasks, so they
/// are registered wherever one of the queue's workflows is and never add a task to the queue.
/// </summary>
public sealed record QueueDefinition(string Name, IReadOnlyList<Type> Workflows, IReadOnlyList<Type> Activities, IReadOnlyList<Type> LocalActivities);

/// <summary>
/// Which workflows and activities run on each queue of the activity-queue catalog (<see cref="ActivityQueues"/>,
/// which says what the queues are called and who polls them), as each class declares it
/// (<see cref="IRunsOn"/>). The workflow schedules each activity on its home queue, so registering an
/// activity elsewhere would only create a poller that never gets work: configuration may pick subsets,
/// not move things.
/// </summary>
public static class QueueCatalog
{
    public static IReadOnlyDictionary<string, QueueDefinition> Queues { get; } = Bind(ActivityQueues.All, typeof(OrderWorkflow).Assembly);

    /// <summary>Every activity class some queue runs, polled or local: what the worker host registers.</summary>
    public static IReadOnlyList<Type> ActivityTypes { get; } =
        [.. Queues.Values.SelectMany(q => q.Activities.Concat(q.LocalActivities)).Distinct()];

    public static string WorkflowName(Type workflow) => workflow.Name;

    public static string ActivitySetName(Type activities) => activities.Name;

    /// <summary>
    /// The classes of <paramref name="assembly"/> that declare a queue, on the queues of <paramref name="catalog"/>.
    /// A class naming a queue the catalog lacks stops the worker host at start, with the class and the queue.
    /// </summary>
    public static Dictionary<string, QueueDefinition> Bind(IReadOnlyList<ActivityQueue> catalog, Assembly assembly)
    {
        var homed = assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.IsAssignableTo(typeof(IRunsOn)))
            .Select(Home)
            .OrderBy(h => h.Type.Name, StringComparer.Ordinal)
            .ToList();
        var strays = homed.Where(h => !catalog.Any(q => q.Name == h.Queue.Name)).Select(h => $"{h.Type.Name} runs on '{h.Queue.Name}'").ToList();
        if (strays.Count > 0)
        {
            throw new InvalidOperationException(
                $"Not in the activity-queue catalog ({ActivityQueues.SourceFile}): {string.Join("; ", strays)}.");
        }

        return catalog.ToDictionary(
            q => q.Name,
            q =>
            {
                var onQueue = homed.Where(h => h.Queue.Name == q.Name).ToList();
                return new QueueDefinition(
                    q.Name,
                    [.. onQueue.Where(h => h.IsWorkflow).Select(h => h.Type)],
                    [.. onQueue.Where(h => !h.IsWorkflow).Select(h => h.Type)],
                    [.. onQueue.Where(h => h.AlsoLocal).Select(h => h.Type)]);
            },
            StringComparer.Ordinal);
    }

    private static Homed Home(Type type) =>
        typeof(QueueCatalog).GetMethod(nameof(Declared), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type)
            .CreateDelegate<Func<Homed>>()();

    private static Homed Declared<T>()
        where T : IRunsOn => new(typeof(T), T.Queue, T.AlsoLocal, typeof(T).IsDefined(typeof(WorkflowAttribute), inherit: false));

    /// <summary>
    /// What a class declares. A class, not a value tuple: the framework's LINQ and sorting code over a
    /// struct of this shape is not in the precompiled image and was jitted at every start (about 8 ms).
    /// </summary>
    private sealed record Homed(Type Type, ActivityQueue Queue, bool AlsoLocal, bool IsWorkflow);
}

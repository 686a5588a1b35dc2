using Serverless.Platform.Redis;
using Serverless.Workers.Queues;
using Temporalio.Worker.Tuning;

namespace Serverless.Workers.InFlight;

/// <summary>
/// The slots of one task queue's worker in this process: what its tuner hands out and what its
/// lease reports. Shared by the queue's worker (which uses the tuner and says when it has drained)
/// and the lease publisher (which reads the counts).
/// </summary>
public sealed class QueueSlots
{
    // Local activities and Nexus tasks are not scaled on: Temporal's defaults (platform-semantics §9.3), fixed-size.
    private const int LocalActivitySlots = 100;
    private const int NexusTaskSlots = 100;

    private readonly Lazy<CountingSlotSupplier> workflow;
    private readonly Lazy<CountingSlotSupplier> activity;
    private readonly bool pollsWorkflows;
    private readonly bool pollsActivities;
    private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public QueueSlots(QueueWorkerPlan plan)
    {
        TaskQueue = plan.TaskQueue;
        // Built on first use: this object exists from registration on, before the tuning is
        // validated at start, and an invalid slot count must be reported, not thrown here.
        workflow = new(() => new CountingSlotSupplier(plan.Tuning.MaxConcurrentWorkflowTasks));
        activity = new(() => new CountingSlotSupplier(plan.Tuning.MaxConcurrentActivities));
        pollsWorkflows = plan.Workflows.Count > 0;
        pollsActivities = plan.Activities.Count > 0;
    }

    /// <summary>The physical task queue, e.g. <c>prod-payments</c>.</summary>
    public string TaskQueue { get; }

    public CountingSlotSupplier Workflow => workflow.Value;

    public CountingSlotSupplier Activity => activity.Value;

    /// <summary>Completes once the queue's worker has stopped and its in-flight work has finished or been cancelled.</summary>
    public Task Drained => drained.Task;

    public bool IsDrained => drained.Task.IsCompleted;

    /// <summary>A tuner bounded exactly as <c>MaxConcurrentWorkflowTasks</c>/<c>MaxConcurrentActivities</c> would bound the worker.</summary>
    public WorkerTuner CreateTuner() =>
        new(Workflow, Activity, new FixedSizeSlotSupplier(LocalActivitySlots), new FixedSizeSlotSupplier(NexusTaskSlots));

    /// <summary>
    /// Used and offered slots now. A slot type the worker does not poll (no workflow registered on an
    /// activity pool) offers no capacity, so summed capacities say what the pool can really take.
    /// </summary>
    public WorkerSlots Snapshot() => new(
        Workflow.Used,
        pollsWorkflows ? Workflow.Capacity : 0,
        Activity.Used,
        pollsActivities ? Activity.Capacity : 0);

    public void MarkDrained() => drained.TrySetResult();
}

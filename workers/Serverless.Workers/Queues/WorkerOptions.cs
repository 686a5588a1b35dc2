using Serverless.Catalog;

namespace Serverless.Workers.Queues;

/// <summary>Which task queues this process polls and how hard.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Workers";

    /// <summary>Comma-separated logical queues to poll, e.g. <c>payments</c>; every queue of the catalog unless set.</summary>
    public string Poll { get; set; } = string.Join(',', ActivityQueues.All.Select(q => q.Name));

    /// <summary>Per-queue tuning, keyed by logical queue name.</summary>
    public Dictionary<string, QueueOptions> Queues { get; set; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> PolledQueues =>
        Poll.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public QueueOptions TuningFor(string queue) => Queues.GetValueOrDefault(queue) ?? new QueueOptions();
}

/// <summary>Tuning of one queue's worker. Defaults suit a pod with 500m CPU / 1 GiB.</summary>
public sealed class QueueOptions
{
    /// <summary>Subset of the queue's workflows to register; all when unset.</summary>
    public List<string>? Workflows { get; set; }

    /// <summary>Subset of the queue's activity sets to register; all when unset.</summary>
    public List<string>? Activities { get; set; }

    /// <summary>Activity slots. The KEDA target per replica should be sized against this.</summary>
    public int MaxConcurrentActivities { get; set; } = 20;

    public int MaxConcurrentWorkflowTasks { get; set; } = 50;

    public int MaxConcurrentActivityTaskPolls { get; set; } = 5;

    public int MaxConcurrentWorkflowTaskPolls { get; set; } = 5;

    /// <summary>Sticky cache size; a workflow worker at a floor of 1 keeps it warm.</summary>
    public int MaxCachedWorkflows { get; set; } = 1000;

    /// <summary>Per-worker activity rate limit; unset = unlimited.</summary>
    public double? MaxActivitiesPerSecond { get; set; }
}

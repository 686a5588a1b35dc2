namespace Serverless.Workers.Queues;

/// <summary>
/// What one queue's worker runs, resolved from the catalog and configuration at start:
/// <see cref="Activities"/> polled from the queue, <see cref="LocalActivities"/> run by its workflows.
/// </summary>
public sealed record QueueWorkerPlan(
    string Queue, string TaskQueue, IReadOnlyList<Type> Workflows, IReadOnlyList<Type> Activities, QueueOptions Tuning)
{
    public IReadOnlyList<Type> LocalActivities { get; init; } = [];
}

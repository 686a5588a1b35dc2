using Serverless.Platform.Environments;

namespace Serverless.Workers.Queues;

/// <summary>Every way a worker configuration can be wrong, in words that say how to fix it.</summary>
public static class WorkerOptionsRules
{
    public static IEnumerable<string> Validate(WorkerOptions options, ServerlessEnvironmentOptions environment)
    {
        var known = string.Join(", ", QueueCatalog.Queues.Keys);
        var polled = options.PolledQueues;
        if (polled.Count == 0)
        {
            yield return $"Workers:Poll names no task queue; set it to one or more of: {known}.";
        }

        foreach (var mixing in EnvironmentGuard.FindMixing(environment, polled.Select(q => ("Workers:Poll", (string?)q))))
        {
            yield return mixing;
        }

        foreach (var queue in polled.Where(q => !QueueCatalog.Queues.ContainsKey(q)))
        {
            yield return $"Workers:Poll names unknown task queue '{queue}'; known queues: {known}. " +
                         "Use logical names: the environment prefix is added for you.";
        }

        foreach (var duplicate in polled.GroupBy(q => q, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"Workers:Poll names '{duplicate.Key}' {duplicate.Count()} times.";
        }

        foreach (var (queue, tuning) in options.Queues)
        {
            if (!QueueCatalog.Queues.TryGetValue(queue, out var definition))
            {
                yield return $"Workers:Queues:{queue} tunes an unknown task queue; known queues: {known}.";
                continue;
            }

            foreach (var error in ValidateTuning($"Workers:Queues:{queue}", tuning, definition))
            {
                yield return error;
            }
        }

        foreach (var queue in polled.Where(QueueCatalog.Queues.ContainsKey))
        {
            var definition = QueueCatalog.Queues[queue];
            var tuning = options.TuningFor(queue);
            if (SelectWorkflows(definition, tuning).Count + SelectActivities(definition, tuning).Count == 0)
            {
                yield return $"Workers:Queues:{queue} selects no workflow and no activity: the worker would poll for nothing.";
            }
        }
    }

    public static IReadOnlyList<Type> SelectWorkflows(QueueDefinition definition, QueueOptions tuning) =>
        tuning.Workflows is null
            ? definition.Workflows
            : definition.Workflows.Where(w => tuning.Workflows.Contains(QueueCatalog.WorkflowName(w), StringComparer.Ordinal)).ToList();

    public static IReadOnlyList<Type> SelectActivities(QueueDefinition definition, QueueOptions tuning) =>
        tuning.Activities is null
            ? definition.Activities
            : definition.Activities.Where(a => tuning.Activities.Contains(QueueCatalog.ActivitySetName(a), StringComparer.Ordinal)).ToList();

    /// <summary>The local activities a worker must register: those of its queue's workflows, if it runs any.</summary>
    public static IReadOnlyList<Type> SelectLocalActivities(QueueDefinition definition, QueueOptions tuning) =>
        SelectWorkflows(definition, tuning).Count > 0 ? definition.LocalActivities : [];

    private static IEnumerable<string> ValidateTuning(string path, QueueOptions tuning, QueueDefinition definition)
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(tuning.MaxConcurrentActivities), tuning.MaxConcurrentActivities),
                     (nameof(tuning.MaxConcurrentWorkflowTasks), tuning.MaxConcurrentWorkflowTasks),
                     (nameof(tuning.MaxConcurrentActivityTaskPolls), tuning.MaxConcurrentActivityTaskPolls),
                     (nameof(tuning.MaxConcurrentWorkflowTaskPolls), tuning.MaxConcurrentWorkflowTaskPolls),
                 })
        {
            if (value is < 1 or > 10_000)
            {
                yield return $"{path}:{name} must be between 1 and 10000; got {value}.";
            }
        }

        if (tuning.MaxCachedWorkflows is < 0 or > 1_000_000)
        {
            yield return $"{path}:MaxCachedWorkflows must be between 0 and 1000000; got {tuning.MaxCachedWorkflows}.";
        }

        if (tuning.MaxConcurrentActivityTaskPolls > tuning.MaxConcurrentActivities)
        {
            yield return $"{path}:MaxConcurrentActivityTaskPolls ({tuning.MaxConcurrentActivityTaskPolls}) exceeds " +
                         $"MaxConcurrentActivities ({tuning.MaxConcurrentActivities}): pollers would hold tasks with no slot to run them.";
        }

        // Temporal needs two workflow-task pollers when sticky queues are on (one sticky, one normal).
        if (tuning.MaxCachedWorkflows > 0 && tuning.MaxConcurrentWorkflowTaskPolls < 2 && definition.Workflows.Count > 0)
        {
            yield return $"{path}:MaxConcurrentWorkflowTaskPolls must be at least 2 while MaxCachedWorkflows > 0 (sticky and normal queue).";
        }

        if (tuning.MaxActivitiesPerSecond is <= 0)
        {
            yield return $"{path}:MaxActivitiesPerSecond must be positive when set; got {tuning.MaxActivitiesPerSecond}.";
        }

        foreach (var unknown in (tuning.Workflows ?? []).Where(w => !definition.Workflows.Any(d => QueueCatalog.WorkflowName(d) == w)))
        {
            yield return $"{path}:Workflows names '{unknown}', which does not run on queue '{definition.Name}' " +
                         $"(it hosts: {Describe(definition.Workflows.Select(QueueCatalog.WorkflowName))}).";
        }

        foreach (var unknown in (tuning.Activities ?? []).Where(a => !definition.Activities.Any(d => QueueCatalog.ActivitySetName(d) == a)))
        {
            yield return $"{path}:Activities names '{unknown}', which does not run on queue '{definition.Name}' " +
                         $"(it hosts: {Describe(definition.Activities.Select(QueueCatalog.ActivitySetName))}).";
        }
    }

    private static string Describe(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "none";
}

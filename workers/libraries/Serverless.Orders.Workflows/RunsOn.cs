using Serverless.Catalog;

namespace Serverless.Orders;

/// <summary>
/// A workflow or activity class names the catalog queue it runs on, next to its code: the worker
/// host finds every class of this assembly that implements it and registers it on that queue, so a
/// new queue needs no binding list of its own (CONTRIBUTING.md).
/// </summary>
public interface IRunsOn
{
    /// <summary>The queue whose pool polls this class's tasks (for a workflow: its workflow tasks).</summary>
    static abstract ActivityQueue Queue { get; }

    /// <summary>
    /// Activities the queue's workflows also run as local activities: registered wherever those
    /// workflows are, inside their workflow tasks.
    /// </summary>
    static virtual bool AlsoLocal => false;
}

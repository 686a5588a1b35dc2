using Serverless.Orders.Contracts;
using Temporalio.Activities;

namespace Serverless.Orders.Activities;

internal static class ActivityIdempotency
{
    /// <summary>The key for <paramref name="step"/> of the workflow running the current activity.</summary>
    public static string KeyFor(string step)
    {
        var workflowId = ActivityExecutionContext.Current.Info.WorkflowId
            ?? throw new InvalidOperationException("Order activities run only inside a workflow: no workflow id to derive an idempotency key from.");
        return IdempotencyKeys.For(workflowId, step);
    }
}

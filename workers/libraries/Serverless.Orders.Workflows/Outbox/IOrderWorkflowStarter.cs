using Serverless.Orders.Contracts;

namespace Serverless.Orders.Outbox;

/// <summary>What a start of an order's workflow found.</summary>
public enum WorkflowStartResult
{
    /// <summary>This call created the workflow.</summary>
    StartedNow,

    /// <summary>The workflow existed already, for the same order: the start is done.</summary>
    AlreadyStarted,

    /// <summary>The workflow existed already, for another order under the same key.</summary>
    AlreadyStartedForOtherOrder,
}

/// <summary>
/// Starts an order's workflow with the order id as workflow id, so a second start of one order is
/// refused by the engine and never becomes a second order. Throws when the engine did not take the
/// start (unreachable, timed out): the caller retries. The relay's seam to Temporal.
/// </summary>
public interface IOrderWorkflowStarter
{
    Task<WorkflowStartResult> StartAsync(OrderInput input, CancellationToken cancellationToken);
}

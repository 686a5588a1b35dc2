using System.Security.Cryptography;
using System.Text;
using Serverless.Orders.Contracts;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Serverless.Orders.Workflows;

/// <summary>A started (or already existing) order workflow.</summary>
public sealed record OrderStart(WorkflowHandle<OrderWorkflow, OrderOutcome> Handle, bool StartedNow);

/// <summary>
/// Starts order workflows so that a retried request never creates a second order: the workflow id
/// is derived from the client's idempotency key, and a start that finds the id taken (running or
/// finished) returns the existing workflow instead. The server enforces this atomically: of two
/// concurrent starts with one key, exactly one creates the workflow.
/// </summary>
public static class OrderStarter
{
    /// <summary>Stable order id for an idempotency key (also the workflow id).</summary>
    public static string OrderIdFor(string idempotencyKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        return "ord-" + Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    public static WorkflowOptions StartOptions(string environment, string orderId) =>
        new(orderId, TaskQueueNames.For(environment, TaskQueueNames.Orders))
        {
            // A running order with this id is the same order: the start fails and we attach to it.
            IdConflictPolicy = WorkflowIdConflictPolicy.Fail,
            // A finished order with this id is the same order too: never run it again.
            IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate,
        };

    public static async Task<OrderStart> StartOrGetAsync(
        ITemporalClient client, string environment, OrderInput input, CancellationToken cancellationToken = default)
    {
        var options = StartOptions(environment, input.OrderId);
        options.Rpc = new RpcOptions { CancellationToken = cancellationToken };
        try
        {
            var handle = await client.StartWorkflowAsync((OrderWorkflow wf) => wf.RunAsync(input), options);
            return new OrderStart(handle, StartedNow: true);
        }
        catch (WorkflowAlreadyStartedException)
        {
            return new OrderStart(client.GetWorkflowHandle<OrderWorkflow, OrderOutcome>(input.OrderId), StartedNow: false);
        }
    }
}

using Microsoft.Extensions.Options;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Platform.Environments;
using Temporalio.Client;

namespace Serverless.Orders.Outbox;

/// <summary>The relay's starts through Temporal: <see cref="OrderStarter.StartOrGetAsync(Temporalio.Client.ITemporalClient, string, Contracts.OrderInput, CancellationToken)"/>, whose fingerprint memo tells another order apart.</summary>
public sealed class TemporalOrderWorkflowStarter(ITemporalClient client, IOptions<ServerlessEnvironmentOptions> environment) : IOrderWorkflowStarter
{
    public async Task<WorkflowStartResult> StartAsync(OrderInput input, CancellationToken cancellationToken)
    {
        var start = await OrderStarter.StartOrGetAsync(client, environment.Value.Environment, input, cancellationToken);
        return start switch
        {
            { StartedNow: true } => WorkflowStartResult.StartedNow,
            { SameRequest: true } => WorkflowStartResult.AlreadyStarted,
            _ => WorkflowStartResult.AlreadyStartedForOtherOrder,
        };
    }
}

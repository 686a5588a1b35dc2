using Serverless.Catalog;
using Serverless.Orders.Events;
using Serverless.Platform.Messaging;
using Temporalio.Activities;

namespace Serverless.Orders.Activities;

/// <summary>
/// Activities of the <c>orders</c> task queue: publish the workflow's domain events. The workflow
/// builds the event (deterministically); this only sends it, with a deterministic CloudEvent id,
/// the correlation id the Temporal interceptor restored and the current trace.
/// </summary>
public sealed class OrderEventActivities(IEventPublisher publisher) : IRunsOn
{
    public static ActivityQueue Queue => ActivityQueues.Orders;

    // New orders publish their events as local activities (workflow tasks only on this queue);
    // orders started before OrderWorkflow.EventsAsLocalActivitiesPatch still schedule them as
    // activities here, so the pool keeps polling for those until the patch is retired.
    public static bool AlsoLocal => true;

    [Activity]
    public Task PublishOrderEventAsync(PublishOrderEventRequest request)
    {
        var context = ActivityExecutionContext.Current;
        var workflowId = context.Info.WorkflowId
            ?? throw new InvalidOperationException("Order events are published only from a workflow: no workflow id to derive the event id from.");
        var outgoing = new OutgoingEvent(
            TopicNames.Orders, OrderEventTypes.EventId(workflowId, request.EventType), request.EventType, request.Order, Subject: request.Order.OrderId);
        return publisher.PublishAsync(outgoing, context.CancellationToken);
    }
}

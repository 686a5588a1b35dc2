using Serverless.Orders.Events;
using Temporalio.Worker.Interceptors;

namespace Serverless.Orders.Tests.Replay;

/// <summary>
/// Records the events a workflow publishes during a replay (the history itself holds no local
/// activity inputs): <see cref="Requests"/> by local activities, <see cref="ThroughActivities"/>
/// by activity tasks (orders started before the events patch).
/// </summary>
internal sealed class PublishedEvents : IWorkerInterceptor
{
    public List<PublishOrderEventRequest> Requests { get; } = [];

    public List<PublishOrderEventRequest> ThroughActivities { get; } = [];

    public IEnumerable<string> Types => Requests.Select(r => r.EventType);

    public WorkflowInboundInterceptor InterceptWorkflow(WorkflowInboundInterceptor nextInterceptor) => new Inbound(this, nextInterceptor);

    private sealed class Inbound(PublishedEvents events, WorkflowInboundInterceptor next) : WorkflowInboundInterceptor(next)
    {
        public override void Init(WorkflowOutboundInterceptor outbound) => base.Init(new Outbound(events, outbound));
    }

    private sealed class Outbound(PublishedEvents events, WorkflowOutboundInterceptor next) : WorkflowOutboundInterceptor(next)
    {
        public override Task<TResult> ScheduleLocalActivityAsync<TResult>(ScheduleLocalActivityInput input)
        {
            if (input.Args.Count == 1 && input.Args.First() is PublishOrderEventRequest request)
            {
                events.Requests.Add(request);
            }

            return Next.ScheduleLocalActivityAsync<TResult>(input);
        }

        public override Task<TResult> ScheduleActivityAsync<TResult>(ScheduleActivityInput input)
        {
            if (input.Args.Count == 1 && input.Args.First() is PublishOrderEventRequest request)
            {
                events.ThroughActivities.Add(request);
            }

            return Next.ScheduleActivityAsync<TResult>(input);
        }
    }
}

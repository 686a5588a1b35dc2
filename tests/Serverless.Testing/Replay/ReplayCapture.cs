using Temporalio.Api.Common.V1;
using Temporalio.Worker.Interceptors;

namespace Serverless.Testing.Replay;

/// <summary>
/// Sees the workflow instance, its result and the activities and local activities it schedules during a replay.
/// Use a fresh one per history.
/// </summary>
public sealed class ReplayCapture : IWorkerInterceptor
{
    public object? Instance { get; private set; }

    public object? Result { get; private set; }

    public Exception? WorkflowException { get; private set; }

    public List<(string ActivityType, IDictionary<string, Payload>? Headers)> ScheduledActivities { get; } = [];

    public List<(string ActivityType, IDictionary<string, Payload>? Headers)> ScheduledLocalActivities { get; } = [];

    public WorkflowInboundInterceptor InterceptWorkflow(WorkflowInboundInterceptor nextInterceptor) => new Inbound(this, nextInterceptor);

    private sealed class Inbound(ReplayCapture capture, WorkflowInboundInterceptor next) : WorkflowInboundInterceptor(next)
    {
        public override void Init(WorkflowOutboundInterceptor outbound) => base.Init(new Outbound(capture, outbound));

        public override async Task<object?> ExecuteWorkflowAsync(ExecuteWorkflowInput input)
        {
            capture.Instance = input.Instance;
            try
            {
                capture.Result = await Next.ExecuteWorkflowAsync(input);
                return capture.Result;
            }
            catch (Exception e)
            {
                capture.WorkflowException = e;
                throw;
            }
        }
    }

    private sealed class Outbound(ReplayCapture capture, WorkflowOutboundInterceptor next) : WorkflowOutboundInterceptor(next)
    {
        public override Task<TResult> ScheduleActivityAsync<TResult>(ScheduleActivityInput input)
        {
            capture.ScheduledActivities.Add((input.Activity, input.Headers));
            return Next.ScheduleActivityAsync<TResult>(input);
        }

        public override Task<TResult> ScheduleLocalActivityAsync<TResult>(ScheduleLocalActivityInput input)
        {
            capture.ScheduledLocalActivities.Add((input.Activity, input.Headers));
            return Next.ScheduleLocalActivityAsync<TResult>(input);
        }
    }
}

using Microsoft.Extensions.Logging;
using Serverless.Platform.Correlation;
using Temporalio.Api.Common.V1;
using Temporalio.Client;
using Temporalio.Client.Interceptors;
using Temporalio.Converters;
using Temporalio.Worker.Interceptors;
using Temporalio.Workflows;

namespace Serverless.Platform.Temporal;

/// <summary>
/// Carries <see cref="CorrelationId.Current"/> through Temporal: client calls put it in a header,
/// workflows read it back (and pass it to every activity they schedule), activities read it and
/// open a logging scope so each of their log lines carries it.
/// </summary>
public sealed class CorrelationInterceptor(ILoggerFactory loggerFactory) : IClientInterceptor, IWorkerInterceptor
{
    private readonly ILogger scopeLogger = loggerFactory.CreateLogger("Serverless.Correlation");

    public ClientOutboundInterceptor InterceptClient(ClientOutboundInterceptor nextInterceptor) =>
        new ClientOutbound(nextInterceptor);

    public WorkflowInboundInterceptor InterceptWorkflow(WorkflowInboundInterceptor nextInterceptor) =>
        new WorkflowInbound(this, nextInterceptor);

    public ActivityInboundInterceptor InterceptActivity(ActivityInboundInterceptor nextInterceptor) =>
        new ActivityInbound(this, nextInterceptor);

    private static Dictionary<string, Payload> WithCorrelation(IDictionary<string, Payload>? headers)
    {
        var result = headers is null ? new Dictionary<string, Payload>(1) : new Dictionary<string, Payload>(headers);
        if (CorrelationId.Current is { } id)
        {
            result[CorrelationId.TemporalHeader] = DataConverter.Default.PayloadConverter.ToPayload(id);
        }

        return result;
    }

    /// <summary>Adopts the header's id (if any) for the rest of this async flow and scopes logs with it.</summary>
    private IDisposable? Adopt(IReadOnlyDictionary<string, Payload>? headers)
    {
        if (headers?.TryGetValue(CorrelationId.TemporalHeader, out var payload) == true
            && DataConverter.Default.PayloadConverter.ToValue<string>(payload) is { } id
            && CorrelationId.IsAcceptable(id))
        {
            CorrelationId.Current = id;
            return scopeLogger.BeginScope(new CorrelationScope(id));
        }

        return null;
    }

    private sealed class ClientOutbound(ClientOutboundInterceptor next) : ClientOutboundInterceptor(next)
    {
        public override Task<WorkflowHandle<TWorkflow, TResult>> StartWorkflowAsync<TWorkflow, TResult>(StartWorkflowInput input) =>
            base.StartWorkflowAsync<TWorkflow, TResult>(input with { Headers = WithCorrelation(input.Headers) });

        public override Task SignalWorkflowAsync(SignalWorkflowInput input) =>
            base.SignalWorkflowAsync(input with { Headers = WithCorrelation(input.Headers) });

        public override Task<TResult> QueryWorkflowAsync<TResult>(QueryWorkflowInput input) =>
            base.QueryWorkflowAsync<TResult>(input with { Headers = WithCorrelation(input.Headers) });

        public override Task<WorkflowUpdateHandle<TResult>> StartWorkflowUpdateAsync<TResult>(StartWorkflowUpdateInput input) =>
            base.StartWorkflowUpdateAsync<TResult>(input with { Headers = WithCorrelation(input.Headers) });
    }

    private sealed class WorkflowInbound(CorrelationInterceptor root, WorkflowInboundInterceptor next) : WorkflowInboundInterceptor(next)
    {
        public override void Init(WorkflowOutboundInterceptor outbound) => base.Init(new WorkflowOutbound(outbound));

        public override async Task<object?> ExecuteWorkflowAsync(ExecuteWorkflowInput input)
        {
            using var scope = root.Adopt(Workflow.Info.Headers);
            return await Next.ExecuteWorkflowAsync(input);
        }

        public override async Task HandleSignalAsync(HandleSignalInput input)
        {
            using var scope = root.Adopt(input.Headers);
            await Next.HandleSignalAsync(input);
        }
    }

    private sealed class WorkflowOutbound(WorkflowOutboundInterceptor next) : WorkflowOutboundInterceptor(next)
    {
        public override Task<TResult> ScheduleActivityAsync<TResult>(ScheduleActivityInput input) =>
            Next.ScheduleActivityAsync<TResult>(input with { Headers = WithCorrelation(input.Headers) });

        public override Task<TResult> ScheduleLocalActivityAsync<TResult>(ScheduleLocalActivityInput input) =>
            Next.ScheduleLocalActivityAsync<TResult>(input with { Headers = WithCorrelation(input.Headers) });

        public override Task<ChildWorkflowHandle<TWorkflow, TResult>> StartChildWorkflowAsync<TWorkflow, TResult>(StartChildWorkflowInput input) =>
            Next.StartChildWorkflowAsync<TWorkflow, TResult>(input with { Headers = WithCorrelation(input.Headers) });
    }

    private sealed class ActivityInbound(CorrelationInterceptor root, ActivityInboundInterceptor next) : ActivityInboundInterceptor(next)
    {
        public override async Task<object?> ExecuteActivityAsync(ExecuteActivityInput input)
        {
            using var scope = root.Adopt(input.Headers);
            return await Next.ExecuteActivityAsync(input);
        }
    }
}

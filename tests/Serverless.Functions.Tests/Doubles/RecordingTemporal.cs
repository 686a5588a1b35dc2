using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Platform.Correlation;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Client.Interceptors;
using Temporalio.Converters;
using Temporalio.Exceptions;
using ApiEnums = Temporalio.Api.Enums.V1;
using ApiWorkflow = Temporalio.Api.Workflow.V1;

namespace Serverless.Functions.Tests.Doubles;

/// <summary>A workflow start the functions made, as Temporal would have received it.</summary>
public sealed record RecordedStart(string WorkflowId, string WorkflowType, string TaskQueue, OrderInput Input, string? Fingerprint, string? CorrelationId);

/// <summary>A signal the functions sent.</summary>
public sealed record RecordedSignal(string WorkflowId, string Signal, CancelOrderRequest Request, string? CorrelationId);

/// <summary>
/// Temporal replaced by memory, behind the real client: a lazy <see cref="TemporalClient"/> (never
/// connected) whose last outbound interceptor answers start, describe, query and signal from memory.
/// Interceptors given to <see cref="CreateClient"/> run before it, exactly as they would before the
/// network, so what is recorded is what Temporal would have received (headers included).
/// It keeps the server's guarantee that one workflow id starts once, and Temporal's answers for
/// unknown ids (NotFound). <see cref="Outage"/> makes every call fail as an unreachable server does.
/// </summary>
public sealed class RecordingTemporal
{
    private readonly ConcurrentDictionary<string, Workflow> workflows = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedStart> starts = new();
    private readonly ConcurrentQueue<RecordedSignal> signals = new();
    private int calls;
    private ITemporalClient? client;

    /// <summary>When set, every call fails with what it returns (an <c>RpcException</c>, or null to hang until cancelled).</summary>
    public Func<Exception?>? Outage { get; set; }

    /// <summary>Starts that created a workflow (a start that found the id taken is not one).</summary>
    public IReadOnlyList<RecordedStart> Starts => [.. starts];

    public IReadOnlyList<RecordedSignal> Signals => [.. signals];

    /// <summary>Every call that reached Temporal, whatever its outcome.</summary>
    public int Calls => Volatile.Read(ref calls);

    public static RpcException Unavailable() =>
        new(RpcException.StatusCode.Unavailable, "connection refused (recorded outage)", null);

    public ITemporalClient CreateClient(params IClientInterceptor[] before) =>
        client = TemporalClient.CreateLazy(new TemporalClientConnectOptions("127.0.0.1:1")
        {
            Namespace = "dev",
            Interceptors = [.. before, new Interceptor(this)],
        });

    /// <summary>What the <c>Progress</c> query answers for <paramref name="orderId"/> from now on.</summary>
    public void SetProgress(string orderId, OrderStatus status, bool canCancel) =>
        workflows[orderId].Progress = new OrderProgress(orderId, status, canCancel, null, []);

    public OrderProgress? ProgressOf(string orderId) => workflows.TryGetValue(orderId, out var workflow) ? workflow.Progress : null;

    private sealed class Workflow(string id, string type, string taskQueue, string? fingerprint)
    {
        public string Id { get; } = id;

        public string Type { get; } = type;

        public string TaskQueue { get; } = taskQueue;

        public string RunId { get; } = Guid.NewGuid().ToString();

        public string? Fingerprint { get; } = fingerprint;

        public OrderProgress Progress { get; set; } = new(id, OrderStatus.Received, true, null, []);
    }

    private sealed class Interceptor(RecordingTemporal memory) : IClientInterceptor
    {
        public ClientOutboundInterceptor InterceptClient(ClientOutboundInterceptor nextInterceptor) => new Outbound(memory, nextInterceptor);
    }

    private sealed class Outbound(RecordingTemporal memory, ClientOutboundInterceptor next) : ClientOutboundInterceptor(next)
    {
        private static IPayloadConverter Converter => DataConverter.Default.PayloadConverter;

        public override async Task<WorkflowHandle<TWorkflow, TResult>> StartWorkflowAsync<TWorkflow, TResult>(StartWorkflowInput input)
        {
            await EnterAsync(input.Options.Rpc?.CancellationToken);
            var id = input.Options.Id!;
            var fingerprint = input.Options.Memo?.GetValueOrDefault(OrderStarter.RequestFingerprintMemo) as string;
            var workflow = new Workflow(id, input.Workflow, input.Options.TaskQueue!, fingerprint);
            if (!memory.workflows.TryAdd(id, workflow))
            {
                throw new WorkflowAlreadyStartedException("Workflow execution is already running", id, input.Workflow, memory.workflows[id].RunId);
            }

            memory.starts.Enqueue(new RecordedStart(
                id, input.Workflow, workflow.TaskQueue, (OrderInput)input.Args.Single()!, fingerprint, CorrelationOf(input.Headers)));
            return new WorkflowHandle<TWorkflow, TResult>(Root, id, null, workflow.RunId, workflow.RunId);
        }

        public override async Task<WorkflowExecutionDescription> DescribeWorkflowAsync(DescribeWorkflowInput input)
        {
            await EnterAsync(input.Options?.Rpc?.CancellationToken);
            var workflow = Find(input.Id);
            var info = new ApiWorkflow.WorkflowExecutionInfo
            {
                Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = workflow.Id, RunId = workflow.RunId },
                Type = new WorkflowType { Name = workflow.Type },
                TaskQueue = workflow.TaskQueue,
                Status = ApiEnums.WorkflowExecutionStatus.Running,
                StartTime = Timestamp.FromDateTime(DateTime.UtcNow),
                Memo = new Memo(),
            };
            if (workflow.Fingerprint is { } fingerprint)
            {
                info.Memo.Fields[OrderStarter.RequestFingerprintMemo] = Converter.ToPayload(fingerprint);
            }

            return new Description(new DescribeWorkflowExecutionResponse { WorkflowExecutionInfo = info });
        }

        public override async Task<TResult> QueryWorkflowAsync<TResult>(QueryWorkflowInput input)
        {
            await EnterAsync(input.Options?.Rpc?.CancellationToken);
            var workflow = Find(input.Id);
            return input.Query == "Progress"
                ? (TResult)(object)workflow.Progress
                : throw new WorkflowQueryFailedException($"unknown query {input.Query}");
        }

        public override async Task SignalWorkflowAsync(SignalWorkflowInput input)
        {
            await EnterAsync(input.Options?.Rpc?.CancellationToken);
            var workflow = Find(input.Id);
            var request = (CancelOrderRequest)input.Args.Single()!;
            memory.signals.Enqueue(new RecordedSignal(input.Id, input.Signal, request, CorrelationOf(input.Headers)));
            if (input.Signal == "Cancel")
            {
                // As the workflow does: a cancel request is honoured once.
                workflow.Progress = workflow.Progress with { CanCancel = false };
            }
        }

        private static string? CorrelationOf(IDictionary<string, Payload>? headers) =>
            headers?.TryGetValue(CorrelationId.TemporalHeader, out var payload) == true ? Converter.ToValue<string>(payload) : null;

        private ITemporalClient Root => memory.client ?? throw new InvalidOperationException("client not created");

        private Workflow Find(string id) =>
            memory.workflows.TryGetValue(id, out var workflow)
                ? workflow
                : throw new RpcException(RpcException.StatusCode.NotFound, $"workflow not found for ID: {id}", null);

        private async Task EnterAsync(CancellationToken? cancellationToken)
        {
            Interlocked.Increment(ref memory.calls);
            if (memory.Outage is { } outage)
            {
                if (outage() is { } failure)
                {
                    throw failure;
                }

                await Task.Delay(Timeout.Infinite, cancellationToken ?? CancellationToken.None);
            }
        }
    }

    private sealed class Description(DescribeWorkflowExecutionResponse response) : WorkflowExecutionDescription(response, DataConverter.Default);
}

using System.Collections.Concurrent;
using Serverless.Orders.Workflows;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Client.Interceptors;
using Temporalio.Converters;
using Temporalio.Exceptions;
using ApiWorkflow = Temporalio.Api.Workflow.V1;

namespace Serverless.Functions.Bench;

/// <summary>
/// Temporal for the benchmark, behind the real client as the tests' recorder is (a lazy, never
/// connected <see cref="TemporalClient"/> whose last outbound interceptor answers), but it keeps
/// only what a start-or-get needs: the fingerprint memo of the most recent
/// <see cref="Window"/> workflow ids, so one that finds its id taken answers as a duplicate and
/// its describe tells the same order from another. Keeping every start (the tests' recorder does,
/// to assert on them) made a run measure its own heap: about 436k inputs per run. The window is
/// small on purpose: with 65,536 ids each entry outlived two collections and died old, the costliest
/// garbage there is, and the tail measured those collections (p99 4.0× bare against 1.9× now).
/// wrk never repeats a key, and <see cref="FunctionsBenchmark"/> checks the duplicate path itself.
/// </summary>
public sealed class CountingTemporal
{
    /// <summary>How many recent workflow ids are remembered; older ones are forgotten first.</summary>
    public const int Window = 1 << 10;

    private readonly ConcurrentDictionary<string, string?> fingerprints = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> order = new();
    private long starts;
    private int remembered;
    private ITemporalClient? client;

    /// <summary>When set, every call fails as an unreachable server does (the outbox's Temporal-down mode).</summary>
    public bool Down { get; init; }

    /// <summary>Starts that created a workflow.</summary>
    public long Starts => Interlocked.Read(ref starts);

    public ITemporalClient CreateClient(params IClientInterceptor[] before) =>
        client = TemporalClient.CreateLazy(new TemporalClientConnectOptions("127.0.0.1:1")
        {
            Namespace = "dev",
            Interceptors = [.. before, new Interceptor(this)],
        });

    private void Remember(string id)
    {
        order.Enqueue(id);
        if (Interlocked.Increment(ref remembered) > Window && order.TryDequeue(out var oldest))
        {
            fingerprints.TryRemove(oldest, out _);
            Interlocked.Decrement(ref remembered);
        }
    }

    private sealed class Interceptor(CountingTemporal memory) : IClientInterceptor
    {
        public ClientOutboundInterceptor InterceptClient(ClientOutboundInterceptor nextInterceptor) => new Outbound(memory, nextInterceptor);
    }

    private sealed class Outbound(CountingTemporal memory, ClientOutboundInterceptor next) : ClientOutboundInterceptor(next)
    {
        private const string RunId = "bench-run";

        public override Task<WorkflowHandle<TWorkflow, TResult>> StartWorkflowAsync<TWorkflow, TResult>(StartWorkflowInput input)
        {
            Enter();
            var id = input.Options.Id!;
            var fingerprint = input.Options.Memo?.GetValueOrDefault(OrderStarter.RequestFingerprintMemo) as string;
            if (!memory.fingerprints.TryAdd(id, fingerprint))
            {
                throw new WorkflowAlreadyStartedException("Workflow execution is already running", id, input.Workflow, RunId);
            }

            memory.Remember(id);
            Interlocked.Increment(ref memory.starts);
            return Task.FromResult(new WorkflowHandle<TWorkflow, TResult>(Root, id, null, RunId, RunId));
        }

        public override Task<WorkflowExecutionDescription> DescribeWorkflowAsync(DescribeWorkflowInput input)
        {
            Enter();
            if (!memory.fingerprints.TryGetValue(input.Id, out var fingerprint))
            {
                throw new RpcException(RpcException.StatusCode.NotFound, $"workflow not found for ID: {input.Id}", null);
            }

            var info = new ApiWorkflow.WorkflowExecutionInfo
            {
                Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = input.Id, RunId = RunId },
                Memo = new Memo(),
            };
            if (fingerprint is not null)
            {
                info.Memo.Fields[OrderStarter.RequestFingerprintMemo] = DataConverter.Default.PayloadConverter.ToPayload(fingerprint);
            }

            return Task.FromResult<WorkflowExecutionDescription>(new Description(new DescribeWorkflowExecutionResponse { WorkflowExecutionInfo = info }));
        }

        private ITemporalClient Root => memory.client ?? throw new InvalidOperationException("client not created");

        private void Enter()
        {
            if (memory.Down)
            {
                throw new RpcException(RpcException.StatusCode.Unavailable, "connection refused (benchmark outage)", null);
            }
        }
    }

    private sealed class Description(DescribeWorkflowExecutionResponse response) : WorkflowExecutionDescription(response, DataConverter.Default);
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Catalog;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Platform.Environments;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Serverless.Functions.Temporal;

/// <summary>
/// The functions' calls to Temporal: start-or-get, the <c>Progress</c> query and the <c>Cancel</c>
/// signal. Each call is bounded by <see cref="FunctionsOptions.TemporalCallTimeout"/>, the lazy
/// connect included (the SDK's own retries of an unreachable server would otherwise hold the request
/// for about ten seconds, a server that never answers for thirty), and
/// every way of Temporal being unreachable becomes one <see cref="TemporalUnavailableException"/>.
/// </summary>
public sealed partial class OrderWorkflowGateway(
    ITemporalClient client,
    IOptions<FunctionsOptions> options,
    IOptions<ServerlessEnvironmentOptions> environment,
    ScalerNotifier scaler,
    ILogger<OrderWorkflowGateway> logger)
{
    /// <summary>Starts the order's workflow, or finds it; <paramref name="fingerprint"/> is <see cref="OrderStarter.RequestFingerprint"/> of <paramref name="input"/>.</summary>
    public async Task<OrderStart> StartOrGetAsync(OrderInput input, string fingerprint, CancellationToken cancellationToken)
    {
        var start = await CallAsync("start", input.OrderId, token => OrderStarter.StartOrGetAsync(client, environment.Value.Environment, input, fingerprint, token), cancellationToken);
        if (start.StartedNow)
        {
            await scaler.NotifyAsync(ActivityQueues.Orders.PhysicalName(environment.Value.Environment), cancellationToken);
        }

        return start;
    }

    /// <summary>The order's progress, or null when no workflow has this id.</summary>
    public Task<OrderProgress?> QueryProgressAsync(string orderId, CancellationToken cancellationToken) =>
        CallAsync("query", orderId, async token =>
        {
            try
            {
                return await client.GetWorkflowHandle<OrderWorkflow>(orderId).QueryAsync(
                    wf => wf.Progress, new WorkflowQueryOptions { Rpc = new RpcOptions { CancellationToken = token } });
            }
            catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>Signals <c>Cancel</c>; false when no running workflow has this id (it never existed or has ended).</summary>
    public Task<bool> SignalCancelAsync(string orderId, CancelOrderRequest request, CancellationToken cancellationToken) =>
        CallAsync("signal", orderId, async token =>
        {
            try
            {
                await client.GetWorkflowHandle<OrderWorkflow>(orderId).SignalAsync(
                    wf => wf.CancelAsync(request), new WorkflowSignalOptions { Rpc = new RpcOptions { CancellationToken = token } });
                return true;
            }
            catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    private async Task<T> CallAsync<T>(string operation, string orderId, Func<CancellationToken, Task<T>> call, CancellationToken requestAborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        deadline.CancelAfter(options.Value.TemporalCallTimeout);
        var attempt = call(deadline.Token);
        try
        {
            // The lazy client's connect does not see the token (a server that accepts TCP and never
            // answers holds it for the SDK's own 30 s, and every call queued behind it): the wait is
            // bounded here, whatever the call is doing.
            return await attempt.WaitAsync(deadline.Token);
        }
        catch (Exception e) when (!requestAborted.IsCancellationRequested && IsUnavailable(e, deadline.IsCancellationRequested))
        {
            var reason = deadline.IsCancellationRequested ? $"no answer within {options.Value.TemporalCallTimeout}" : e.Message;
            LogUnavailable(operation, orderId, reason);
            throw new TemporalUnavailableException($"Temporal {operation} for order {orderId} failed: {reason}", e);
        }
        catch (Exception) when (requestAborted.IsCancellationRequested)
        {
            // The client gave up: whatever the call did meanwhile, nobody is left to answer.
            throw new OperationCanceledException(requestAborted);
        }
        finally
        {
            Abandon(attempt);
        }
    }

    /// <summary>A call given up on runs to its end unobserved; its failure is already answered as a timeout.</summary>
    private static void Abandon(Task attempt)
    {
        if (!attempt.IsCompleted)
        {
            attempt.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private bool IsUnavailable(Exception exception, bool timedOut) => exception switch
    {
        OperationCanceledException => timedOut,
        RpcException rpc => rpc.Code is RpcException.StatusCode.Unavailable
            or RpcException.StatusCode.DeadlineExceeded
            or RpcException.StatusCode.ResourceExhausted
            or RpcException.StatusCode.Aborted
            or RpcException.StatusCode.Cancelled,
        // The lazy client reports a failed (re)connect this way, before any RPC is made.
        InvalidOperationException => !client.Connection.IsConnected,
        _ => false,
    };

    [LoggerMessage(3100, LogLevel.Warning, "Temporal unavailable for {Operation} of order {OrderId}: {Reason}")]
    private partial void LogUnavailable(string operation, string orderId, string reason);
}

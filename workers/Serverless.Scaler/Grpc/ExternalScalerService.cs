using Grpc.Core;
using Microsoft.Extensions.Options;
using Serverless.Scaler.Backlog;
using Serverless.Scaler.Signals;

namespace Serverless.Scaler.Grpc;

/// <summary>
/// KEDA's external scaler contract (platform-semantics.md §5). Polling triggers call
/// <c>IsActive</c>/<c>GetMetrics</c>; an <c>external-push</c> trigger keeps <c>StreamIsActive</c>
/// open and KEDA scales a target from zero the moment we send <c>true</c> (it ignores <c>false</c>:
/// scale-in still comes from polling and cooldown). Every call re-reads the target: with the work
/// signal a push stream keeps sending <c>true</c> through the activation window, so KEDA's
/// <c>lastActiveTime</c> stays fresh while it lasts.
/// </summary>
public sealed partial class ExternalScalerService(
    SignalProbe probe, WorkSignals signals, IOptions<ScalerOptions> options, ILogger<ExternalScalerService> logger)
    : ExternalScaler.ExternalScalerBase
{
    public override async Task<IsActiveResponse> IsActive(ScaledObjectRef request, ServerCallContext context)
    {
        var target = TargetOf(request);
        var reading = await probe.ReadAsync(target, context.CancellationToken);
        return new IsActiveResponse { Result = reading.IsActive };
    }

    public override async Task StreamIsActive(ScaledObjectRef request, IServerStreamWriter<IsActiveResponse> responseStream, ServerCallContext context)
    {
        var target = TargetOf(request);
        using var watch = target is StreamTarget stream ? signals.WatchStream(stream.Stream) : null;
        LogPushOpened(request.Namespace, request.Name, target.MetricName);
        var wasActive = false;
        try
        {
            while (!context.CancellationToken.IsCancellationRequested)
            {
                var reading = await probe.ReadAsync(target, context.CancellationToken);
                if (reading.IsActive || wasActive)
                {
                    await responseStream.WriteAsync(new IsActiveResponse { Result = reading.IsActive }, context.CancellationToken);
                    if (reading.IsActive && !wasActive)
                    {
                        LogActivated(request.Namespace, request.Name, reading.Metric);
                    }
                }

                wasActive = reading.IsActive;
                await signals.WaitAsync(target.SignalKey, options.Value.RecheckInterval, context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            LogPushClosed(request.Namespace, request.Name);
        }
    }

    public override Task<GetMetricSpecResponse> GetMetricSpec(ScaledObjectRef request, ServerCallContext context)
    {
        var target = TargetOf(request);
        return Task.FromResult(new GetMetricSpecResponse
        {
            MetricSpecs = { new MetricSpec { MetricName = target.MetricName, TargetSizeFloat = target.TargetPerReplica } },
        });
    }

    public override async Task<GetMetricsResponse> GetMetrics(GetMetricsRequest request, ServerCallContext context)
    {
        var target = TargetOf(request.ScaledObjectRef);
        var reading = await probe.ReadAsync(target, context.CancellationToken);
        // KEDA reads the float field when it is > 0 and the deprecated integer otherwise (§5.2):
        // a zero metric reads as zero either way, so the float alone is enough.
        return new GetMetricsResponse
        {
            MetricValues = { new MetricValue { MetricName = target.MetricName, MetricValueFloat = reading.Metric } },
        };
    }

    private static ScalerTarget TargetOf(ScaledObjectRef? request)
    {
        try
        {
            return ScalerTarget.Parse(request?.ScalerMetadata ?? new Google.Protobuf.Collections.MapField<string, string>());
        }
        catch (InvalidScalerMetadataException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }

    [LoggerMessage(3100, LogLevel.Information, "Push stream opened for {Namespace}/{ScaledObject} ({Metric})")]
    private partial void LogPushOpened(string @namespace, string scaledObject, string metric);

    [LoggerMessage(3101, LogLevel.Information, "Push stream closed for {Namespace}/{ScaledObject}")]
    private partial void LogPushClosed(string @namespace, string scaledObject);

    [LoggerMessage(3102, LogLevel.Information, "Activated {Namespace}/{ScaledObject}: metric {Metric}")]
    private partial void LogActivated(string @namespace, string scaledObject, double metric);
}

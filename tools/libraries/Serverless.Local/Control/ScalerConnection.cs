using System.Globalization;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Serverless.Scaler.Grpc;
using Serverless.Scaling.Policy;

namespace Serverless.Local.Control;

/// <summary>
/// The local controller's side of the push scaler: the calls KEDA makes (GetMetrics on every poll,
/// StreamIsActive held open for push activation), with the trigger metadata KEDA would send for an
/// <c>external-push</c> trigger rendered from the same queue policy.
/// </summary>
/// <summary>One poll's answer: the metric the HPA sizes on and the scaler's own activity decision.</summary>
public sealed record ScalerRead(double Metric, bool IsActive);

public sealed class ScalerConnection(Uri address) : IDisposable
{
    private readonly GrpcChannel channel = GrpcChannel.ForAddress(address);

    private ExternalScaler.ExternalScalerClient Client => new(channel);

    public static ScaledObjectRef ReferenceFor(QueuePolicy queue, string environment, string temporalNamespace)
    {
        var reference = new ScaledObjectRef { Name = queue.Deployment, Namespace = environment };
        var metadata = reference.ScalerMetadata;
        var target = queue.Scaling.TargetPerReplica.ToString(CultureInfo.InvariantCulture);
        var activation = queue.Scaling.ActivationThreshold.ToString(CultureInfo.InvariantCulture);
        switch (queue.Source)
        {
            case TemporalQueueSource temporal:
                metadata["source"] = "temporal";
                metadata["namespace"] = temporalNamespace;
                metadata["taskQueue"] = temporal.PhysicalName(environment);
                metadata["queueTypes"] = string.Join(',', temporal.QueueTypes.Select(t => t.ToString().ToLowerInvariant()));
                metadata["targetQueueSize"] = target;
                metadata["activationTargetQueueSize"] = activation;
                break;
            case RedisStreamSource stream:
                // The push scaler reads lag (the only stream metric that can wake a consumer from zero).
                metadata["source"] = "redis-streams";
                metadata["stream"] = stream.PhysicalStream(environment);
                metadata["consumerGroup"] = stream.ConsumerGroup;
                metadata["lagCount"] = target;
                metadata["activationLagCount"] = activation;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(queue), queue.Source, "unknown queue source");
        }

        if (queue.Signal == ScalingSignal.Work)
        {
            metadata["signal"] = "work";
            metadata["activationWindowSeconds"] = queue.ActivationWindowSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return reference;
    }

    /// <summary>
    /// What KEDA asks on every poll (§5.2): <c>GetMetrics</c>, then <c>IsActive</c>. The scaler decides activity
    /// itself (with the work signal it stays active through the activation window while the metric reads 0).
    /// Null when a call failed (KEDA counts that toward fallback).
    /// </summary>
    public async Task<ScalerRead?> ReadAsync(ScaledObjectRef reference, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Client.GetMetricsAsync(
                new GetMetricsRequest { ScaledObjectRef = reference },
                deadline: DateTime.UtcNow.AddSeconds(5),
                cancellationToken: cancellationToken);
            var active = await Client.IsActiveAsync(reference, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
            return new ScalerRead(response.MetricValues.Sum(v => v.MetricValueFloat), active.Result);
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller stopping is not a scaler failure: it must not count toward fallback.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>Every <c>true</c> the scaler pushes (KEDA ignores <c>false</c>); reconnects after errors with backoff as KEDA does (2 s doubling to 1 min).</summary>
    public async IAsyncEnumerable<DateTimeOffset> ActivationsAsync(ScaledObjectRef reference, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(2);
        while (!cancellationToken.IsCancellationRequested)
        {
            using var call = Client.StreamIsActive(reference, cancellationToken: cancellationToken);
            var stream = call.ResponseStream;
            while (await NextAsync(stream, cancellationToken))
            {
                backoff = TimeSpan.FromSeconds(2);
                if (stream.Current.Result)
                {
                    yield return DateTimeOffset.UtcNow;
                }
            }

            await Task.Delay(backoff, cancellationToken);
            backoff = backoff * 2 > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : backoff * 2;
        }
    }

    public void Dispose() => channel.Dispose();

    private static async Task<bool> NextAsync(IAsyncStreamReader<IsActiveResponse> stream, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.MoveNext(cancellationToken);
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

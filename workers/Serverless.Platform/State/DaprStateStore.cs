using System.Globalization;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Options;
using DaprStateOptions = Dapr.Client.StateOptions;

namespace Serverless.Platform.State;

/// <summary>
/// The state store through a Dapr sidecar. The sidecar applies the component's key prefix and the
/// Redis rules; this class only maps our API onto <see cref="DaprClient"/>: an ETag refusal is
/// gRPC <c>Aborted</c> (false), other refusals are errors, TTL is the <c>ttlInSeconds</c> metadata.
/// </summary>
public sealed class DaprStateStore(DaprClient dapr, IOptions<StateOptions> options) : IStateStore
{
    private const string TtlMetadata = "ttlInSeconds";
    private readonly StateOptions settings = options.Value;

    public async Task<StateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken)
    {
        var (value, etag) = await CallAsync(() => dapr.GetStateAndETagAsync<T>(settings.StoreName, key, cancellationToken: cancellationToken));
        // A missing key comes back as no data and an empty ETag.
        return value is null && string.IsNullOrEmpty(etag) ? null : new StateEntry<T>(value!, string.IsNullOrEmpty(etag) ? null : etag);
    }

    public async Task<IReadOnlyList<BulkStateEntry<T>>> GetBulkAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var items = await CallAsync(() => dapr.GetBulkStateAsync<T>(settings.StoreName, keys, parallelism: null, cancellationToken: cancellationToken));
        var byKey = items.ToDictionary(item => item.Key, StringComparer.Ordinal);
        return keys.Select(key => byKey.TryGetValue(key, out var item) && !string.IsNullOrEmpty(item.ETag)
                ? new BulkStateEntry<T>(key, item.Value, item.ETag)
                : new BulkStateEntry<T>(key, default, null))
            .ToList();
    }

    public async Task<bool> TrySaveAsync<T>(string key, T value, StateWrite write, CancellationToken cancellationToken)
    {
        var stateOptions = write.Concurrency is { } concurrency
            ? new DaprStateOptions { Concurrency = concurrency == StateConcurrency.FirstWrite ? ConcurrencyMode.FirstWrite : ConcurrencyMode.LastWrite }
            : null;
        var ttl = write.TtlInSeconds ?? settings.DefaultTtlInSeconds;
        var metadata = ttl is { } seconds
            ? new Dictionary<string, string> { [TtlMetadata] = seconds.ToString(CultureInfo.InvariantCulture) }
            : null;
        if (write.HasETag)
        {
            return await CallAsync(() => dapr.TrySaveStateAsync(settings.StoreName, key, value, write.ETag!, stateOptions, metadata, cancellationToken));
        }

        try
        {
            return await CallAsync(async () =>
            {
                await dapr.SaveStateAsync(settings.StoreName, key, value, stateOptions, metadata, cancellationToken);
                return true;
            });
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.Internal })
        {
            throw new StateConflictException($"The state store refused to save '{key}' without an ETag: {e.InnerException.Message}", e);
        }
    }

    public Task<bool> TryDeleteAsync(string key, string? etag, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(etag)
            ? CallAsync(async () =>
            {
                await dapr.DeleteStateAsync(settings.StoreName, key, cancellationToken: cancellationToken);
                return true;
            })
            : CallAsync(() => dapr.TryDeleteStateAsync(settings.StoreName, key, etag, cancellationToken: cancellationToken));

    private static async Task<TResult> CallAsync<TResult>(Func<Task<TResult>> call)
    {
        try
        {
            return await call();
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded })
        {
            throw new StateStoreUnavailableException($"Dapr sidecar or its state store unavailable: {e.InnerException.Message}", e);
        }
    }
}

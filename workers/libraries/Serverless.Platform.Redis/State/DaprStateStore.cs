using System.Globalization;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Options;
using DaprStateOptions = Dapr.Client.StateOptions;

namespace Serverless.Platform.State;

/// <summary>
/// The state store through a Dapr sidecar. The sidecar applies the component's key prefix and the
/// Redis rules; this class only maps our API onto <see cref="DaprClient"/> and the sidecar's answers
/// onto ours (dapr/dapr <c>pkg/api/grpc</c>): <c>Aborted</c> is an ETag mismatch (false),
/// <c>InvalidArgument</c> an invalid ETag, <c>Internal</c> on a write without ETag a conflict. TTL is
/// the <c>ttlInSeconds</c> metadata.
/// </summary>
/// <remarks>
/// Bulk get and bulk save go one key per call (<c>GetByteStateAndETagAsync</c>,
/// <c>TrySaveByteStateAsync</c>) rather than through <c>GetBulkStateAsync</c>/<c>SaveBulkStateAsync</c>:
/// those are JSON-typed in the SDK, drop the per-item error and cannot carry raw bytes. The sidecar's
/// bulk is one store operation per key as well (state/bulk.go), so Redis sees the same commands.
/// </remarks>
public sealed class DaprStateStore(DaprClient dapr, IOptions<StateOptions> options) : IStateStore
{
    private const string TtlMetadata = "ttlInSeconds";

    /// <summary>The prefix of Dapr's <c>ETagInvalid</c> error text (components-contrib state/errors.go).</summary>
    private const string InvalidETagText = "invalid etag value";

    private readonly StateOptions settings = options.Value;

    public async Task<StateEntry<ReadOnlyMemory<byte>>?> GetBytesAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var (value, etag) = await CallAsync(() => dapr.GetByteStateAndETagAsync(settings.StoreName, key, cancellationToken: cancellationToken));
            // A missing key comes back as no data and an empty ETag; a legacy plain string as data without an ETag.
            return value.IsEmpty && string.IsNullOrEmpty(etag) ? null : new StateEntry<ReadOnlyMemory<byte>>(value, string.IsNullOrEmpty(etag) ? null : etag);
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.Internal } rpc)
        {
            throw new UnreadableStateException($"The state store could not read '{key}': {rpc.Status.Detail}", e);
        }
    }

    public async Task<IReadOnlyList<BulkStateEntry<ReadOnlyMemory<byte>>>> GetBulkBytesAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        await Task.WhenAll(keys.Select(async key =>
        {
            try
            {
                return new BulkStateEntry<ReadOnlyMemory<byte>>(key, await GetBytesAsync(key, cancellationToken));
            }
            catch (UnreadableStateException e)
            {
                return new BulkStateEntry<ReadOnlyMemory<byte>>(key, null, e.Message);
            }
        }));

    public async Task<bool> TrySaveBytesAsync(string key, ReadOnlyMemory<byte> value, StateWrite write, CancellationToken cancellationToken)
    {
        var stateOptions = StateOptionsFor(write);
        var metadata = MetadataFor(write);
        try
        {
            if (write.HasETag)
            {
                return await CallAsync(() => dapr.TrySaveByteStateAsync(settings.StoreName, key, value, write.ETag!, stateOptions, metadata, cancellationToken));
            }

            await CallAsync(async () =>
            {
                await dapr.SaveByteStateAsync(settings.StoreName, key, value, stateOptions, metadata, cancellationToken);
                return true;
            });
            return true;
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.InvalidArgument })
        {
            throw new InvalidETagException(write.ETag ?? string.Empty, e);
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.Internal } && !write.HasETag)
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

    public Task<bool> TrySaveBulkAsync(IReadOnlyList<StateUpsert> items, CancellationToken cancellationToken) =>
        BulkSaves.RunAsync(items, item => TrySaveBytesAsync(item.Key, item.Value, item.Write, cancellationToken));

    public async Task<bool> TryDeleteBulkAsync(IReadOnlyList<StateRemoval> items, CancellationToken cancellationToken)
    {
        // An empty ETag is none to the sidecar (DeleteRequest.HasETag), so it deletes unconditionally.
        var requests = items.Select(item => new BulkDeleteStateItem(item.Key, item.ETag ?? string.Empty)).ToList();
        try
        {
            return await CallAsync(async () =>
            {
                await dapr.DeleteBulkStateAsync(settings.StoreName, requests, cancellationToken);
                return true;
            });
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.Aborted })
        {
            return false;
        }
    }

    public async Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        var requests = operations.Select(operation => operation switch
        {
            StateUpsert upsert => new StateTransactionRequest(
                upsert.Key, upsert.Value.ToArray(), StateOperationType.Upsert, NullIfEmpty(upsert.Write.ETag), MetadataFor(upsert.Write), StateOptionsFor(upsert.Write)),
            StateRemoval removal => new StateTransactionRequest(removal.Key, null, StateOperationType.Delete, NullIfEmpty(removal.ETag)),
            _ => throw new ArgumentException($"Unknown state operation {operation.GetType().Name}.", nameof(operations)),
        }).ToList();
        try
        {
            await CallAsync(async () =>
            {
                await dapr.ExecuteStateTransactionAsync(settings.StoreName, requests, cancellationToken: cancellationToken);
                return true;
            });
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.Internal } rpc)
        {
            // Every transaction failure is Internal; a bad ETag stops Dapr before EXEC, anything else after it.
            if (rpc.Status.Detail.Contains(InvalidETagText, StringComparison.Ordinal))
            {
                var etag = operations.OfType<StateUpsert>().Select(u => u.Write.ETag).FirstOrDefault(t => !string.IsNullOrEmpty(t) && !long.TryParse(t, CultureInfo.InvariantCulture, out _));
                throw new InvalidETagException(etag ?? rpc.Status.Detail, e);
            }

            throw new StateTransactionException(
                $"The state store refused part of a transaction of {operations.Count} operations; the other operations were applied: Redis transactions do not roll back. {rpc.Status.Detail}", e);
        }
    }

    private static string? NullIfEmpty(string? etag) => string.IsNullOrEmpty(etag) ? null : etag;

    private static DaprStateOptions? StateOptionsFor(StateWrite write) =>
        write.Concurrency is { } concurrency
            ? new DaprStateOptions { Concurrency = concurrency == StateConcurrency.FirstWrite ? ConcurrencyMode.FirstWrite : ConcurrencyMode.LastWrite }
            : null;

    private Dictionary<string, string>? MetadataFor(StateWrite write) =>
        (write.TtlInSeconds ?? settings.DefaultTtlInSeconds) is { } seconds
            ? new Dictionary<string, string> { [TtlMetadata] = seconds.ToString(CultureInfo.InvariantCulture) }
            : null;

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

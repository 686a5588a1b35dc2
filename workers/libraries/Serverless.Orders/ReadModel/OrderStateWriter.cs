using Serverless.Orders.Events;
using Serverless.Platform.State;

namespace Serverless.Orders.ReadModel;

/// <summary>
/// Writes order snapshots into the state store so that a newer one is never replaced by an older
/// one, even with concurrent writers (projection replicas, a rebuild): compare-and-set on the ETag,
/// with first-write concurrency so that two creators of one key cannot both win.
/// </summary>
public sealed class OrderStateWriter(IStateStore store)
{
    private const int MaxAttempts = 10;

    public static string KeyFor(string orderId) => $"order:{orderId}";

    /// <summary>True when the store now holds <paramref name="snapshot"/>, false when it already held a newer one.</summary>
    public async Task<bool> WriteAsync(OrderSnapshot snapshot, CancellationToken cancellationToken)
    {
        var key = KeyFor(snapshot.OrderId);
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.GetAsync<OrderSnapshot>(key, cancellationToken);
            if (current is not null && current.Value.Sequence >= snapshot.Sequence)
            {
                return false;
            }

            try
            {
                var write = new StateWrite(ETag: current?.ETag, Concurrency: StateConcurrency.FirstWrite);
                if (await store.TrySaveAsync(key, snapshot, write, cancellationToken))
                {
                    return true;
                }
            }
            catch (StateConflictException) when (attempt < MaxAttempts)
            {
                // Someone else created the key between our read and our write: read again.
            }

            if (attempt >= MaxAttempts)
            {
                throw new StateConflictException($"Order {snapshot.OrderId}: state kept changing under {MaxAttempts} attempts to write sequence {snapshot.Sequence}.");
            }
        }
    }
}

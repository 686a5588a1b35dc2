using Microsoft.Extensions.Logging;
using Serverless.Orders.Events;
using Serverless.Platform.State;

namespace Serverless.Orders.ReadModel;

/// <summary>
/// The read model as the HTTP functions see it: the state store first (fast, shared with Dapr
/// services), PostgreSQL when Redis is unavailable — and also when the state store does not know
/// the order, since Redis may have lost it (a restart without persistence) until the rebuild ran.
/// </summary>
public sealed partial class OrderReadModel(IStateStore store, OrderRecords records, ILogger<OrderReadModel> logger) : IOrderReadModel
{
    public async Task<OrderView?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        try
        {
            var cached = await store.GetAsync<OrderSnapshot>(OrderStateWriter.KeyFor(orderId), cancellationToken);
            if (cached is not null)
            {
                return OrderView.Of(cached.Value);
            }
        }
        catch (StateStoreUnavailableException e)
        {
            LogStateStoreUnavailable(orderId, e.Message);
        }

        return await records.FindAsync(orderId, cancellationToken) is { } stored ? OrderView.Of(stored) : null;
    }

    [LoggerMessage(4000, LogLevel.Warning, "State store unavailable, reading order {OrderId} from PostgreSQL: {Error}")]
    private partial void LogStateStoreUnavailable(string orderId, string error);
}

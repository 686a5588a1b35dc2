using Microsoft.Extensions.Logging;
using Serverless.Platform.State;

namespace Serverless.Orders.ReadModel;

/// <summary>
/// Restores the state store from PostgreSQL, the system of record. The last full rebuild leaves a
/// marker key; a state store without it (new, or emptied by a Redis restart) needs a rebuild.
/// </summary>
public sealed partial class OrderReadModelRebuilder(
    IStateStore store, OrderRecords records, OrderStateWriter writer, TimeProvider clock, ILogger<OrderReadModelRebuilder> logger)
{
    public const string MarkerKey = "orders:rebuilt";
    private const int PageSize = 500;

    public sealed record RebuildMarker(DateTimeOffset At, int Orders);

    /// <summary>True when the state store lacks the marker of a completed rebuild.</summary>
    public async Task<bool> IsNeededAsync(CancellationToken cancellationToken) =>
        await store.GetAsync<RebuildMarker>(MarkerKey, cancellationToken) is null;

    /// <summary>Copies every order into the state store (never replacing a newer state) and sets the marker; returns the count.</summary>
    public async Task<int> RebuildAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        var after = string.Empty;
        while (true)
        {
            var page = await records.PageAsync(after, PageSize, cancellationToken);
            foreach (var order in page)
            {
                await writer.WriteAsync(order, cancellationToken);
            }

            count += page.Count;
            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].OrderId;
        }

        await store.TrySaveAsync(MarkerKey, new RebuildMarker(clock.GetUtcNow(), count), StateWrite.LastWriteWins, cancellationToken);
        LogRebuilt(count);
        return count;
    }

    [LoggerMessage(4100, LogLevel.Information, "Rebuilt the order read model in the state store from PostgreSQL: {Count} orders")]
    private partial void LogRebuilt(int count);
}

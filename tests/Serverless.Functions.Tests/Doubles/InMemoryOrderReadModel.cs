using System.Collections.Concurrent;
using Serverless.Orders.ReadModel;

namespace Serverless.Functions.Tests.Doubles;

/// <summary>The read model contract in memory, for tests where the read model is not what is under test.</summary>
public sealed class InMemoryOrderReadModel : IOrderReadModel
{
    private readonly ConcurrentDictionary<string, OrderView> views = new(StringComparer.Ordinal);

    /// <summary>When set, every lookup fails with it (Redis and PostgreSQL both down).</summary>
    public Exception? Failure { get; set; }

    public void Put(OrderView view) => views[view.OrderId] = view;

    public Task<OrderView?> FindAsync(string orderId, CancellationToken cancellationToken) =>
        Failure is { } failure ? Task.FromException<OrderView?>(failure) : Task.FromResult(views.GetValueOrDefault(orderId));
}

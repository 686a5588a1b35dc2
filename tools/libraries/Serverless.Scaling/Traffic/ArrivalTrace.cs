using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Traffic;

/// <summary>
/// Arrivals per second: orders (fanned out to each queue by its <c>itemsPerOrder</c>) and/or items given
/// directly for a queue. Fan-out keeps a running remainder so fractional items-per-order stay exact over time.
/// </summary>
public sealed class ArrivalTrace(int seconds, double[]? orders, IReadOnlyDictionary<string, double[]> itemsByQueue, string description)
{
    public int Seconds { get; } = seconds;

    public string Description { get; } = description;

    public double TotalOrders => orders?.Sum() ?? 0;

    public double[] ItemsFor(QueuePolicy queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (itemsByQueue.TryGetValue(queue.Name, out var direct))
        {
            return direct;
        }

        var items = new double[Seconds];
        if (orders is null)
        {
            return items;
        }

        var perOrder = queue.Workload.ItemsPerOrder;
        double carry = 0;
        for (var i = 0; i < Seconds; i++)
        {
            var exact = carry + (orders[i] * perOrder);
            items[i] = Math.Floor(exact + 1e-9);
            carry = exact - items[i];
        }

        return items;
    }

    /// <summary>The same <paramref name="items"/> at second 0 for one queue: the explain scenario.</summary>
    public static ArrivalTrace Burst(string queue, double items) =>
        new(1, null, new Dictionary<string, double[]>(StringComparer.Ordinal) { [queue] = [items] }, $"{items:0} items at once");

    /// <summary><paramref name="itemsPerSecond"/> for <paramref name="seconds"/> on one queue: the lint peak scenario.</summary>
    public static ArrivalTrace Constant(string queue, double itemsPerSecond, int seconds)
    {
        var items = new double[seconds];
        double carry = 0;
        for (var i = 0; i < seconds; i++)
        {
            var exact = carry + itemsPerSecond;
            items[i] = Math.Floor(exact + 1e-9);
            carry = exact - items[i];
        }

        return new ArrivalTrace(seconds, null, new Dictionary<string, double[]>(StringComparer.Ordinal) { [queue] = items }, $"{itemsPerSecond:0.##} items/s for {seconds} s");
    }
}

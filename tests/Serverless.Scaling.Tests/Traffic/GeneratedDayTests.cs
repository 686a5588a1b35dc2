using Serverless.Scaling.Policy;
using Serverless.Scaling.Traffic;

namespace Serverless.Scaling.Tests.Traffic;

public sealed class GeneratedDayTests
{
    private static readonly SourceLocation Nowhere = new("test", 1, 1);

    private static TrafficProfile Profile(double perDay = 75_000, double factor = 10, int minutes = 30) =>
        new(perDay, 1.7, 19, new SpikeProfile(factor, 19, minutes), Nowhere);

    [Fact]
    public void Create_WithoutSpike_TotalIsTheDailyOrdersWithinPoissonNoise()
    {
        var day = GeneratedDay.Create(Profile(factor: 1), seed: 7);

        Assert.InRange(day.TotalOrders, 75_000 * 0.98, 75_000 * 1.02);
    }

    [Fact]
    public void Create_SameSeed_SameArrivals()
    {
        Assert.Equal(GeneratedDay.Create(Profile(), 3).TotalOrders, GeneratedDay.Create(Profile(), 3).TotalOrders);
    }

    [Fact]
    public void OrdersPerSecondAt_SpikeStart_IsTheDeclaredPeak()
    {
        var traffic = Profile();

        Assert.Equal(traffic.PeakOrdersPerSecond, GeneratedDay.OrdersPerSecondAt(traffic, 19 * 3600), 9);
        Assert.Equal(75_000 / 86_400.0 * 1.7 * 10, traffic.PeakOrdersPerSecond, 9);
        // Right after the 30-minute spike the rate is back to the day curve (which has barely moved from its peak).
        Assert.InRange(traffic.PeakOrdersPerSecond / GeneratedDay.OrdersPerSecondAt(traffic, (19 * 3600) + (30 * 60)), 10, 10.1);
    }

    [Fact]
    public void ItemsFor_FractionalItemsPerOrder_KeepsTheRemainder()
    {
        var orders = Enumerable.Repeat(1.0, 10).ToArray();
        var trace = new ArrivalTrace(10, orders, new Dictionary<string, double[]>(), "test");
        var queue = Support.TestQueues.Temporal() with { Workload = new WorkloadProfile(0.25, 1, 1, 0, 1) };

        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 1, 0, 0], trace.ItemsFor(queue));
    }
}

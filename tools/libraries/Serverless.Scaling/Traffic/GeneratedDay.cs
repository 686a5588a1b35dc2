using Serverless.Scaling.Policy;

namespace Serverless.Scaling.Traffic;

/// <summary>
/// A day of orders from the traffic profile: a cosine day curve around the mean (peak at peakHour, trough
/// twelve hours later; it integrates to ordersPerDay) times the spike factor during the spike window.
/// Per-second counts are Poisson draws from a seeded generator, so a run is reproducible.
/// </summary>
public static class GeneratedDay
{
    public const int SecondsPerDay = 86_400;

    public static ArrivalTrace Create(TrafficProfile traffic, int seed)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        var random = new Random(seed);
        var orders = new double[SecondsPerDay];
        for (var second = 0; second < SecondsPerDay; second++)
        {
            orders[second] = Poisson.Sample(random, OrdersPerSecondAt(traffic, second));
        }

        var description = $"generated day: {traffic.OrdersPerDay:0} orders/day, peak {traffic.PeakToMeanRatio:0.##}× mean at {traffic.PeakHour:0.#} h, "
            + $"spike {traffic.Spike.Factor:0.#}× for {traffic.Spike.Minutes} min from {traffic.Spike.StartHour:0.#} h, seed {seed}";
        return new ArrivalTrace(SecondsPerDay, orders, new Dictionary<string, double[]>(StringComparer.Ordinal), description);
    }

    public static double OrdersPerSecondAt(TrafficProfile traffic, int second)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        var hours = second / 3600.0;
        var curve = 1 + ((traffic.PeakToMeanRatio - 1) * Math.Cos(2 * Math.PI * (hours - traffic.PeakHour) / 24));
        var spikeStart = traffic.Spike.StartHour * 3600;
        var inSpike = second >= spikeStart && second < spikeStart + (traffic.Spike.Minutes * 60);
        return traffic.MeanOrdersPerSecond * curve * (inSpike ? traffic.Spike.Factor : 1);
    }
}

/// <summary>Poisson counts: Knuth's method for small means, a rounded normal approximation above 30.</summary>
public static class Poisson
{
    private const double NormalApproximationFrom = 30;

    public static double Sample(Random random, double mean)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (mean <= 0)
        {
            return 0;
        }

        if (mean >= NormalApproximationFrom)
        {
            // Box-Muller; a simulation input, not a security boundary.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            return Math.Max(0, Math.Round(mean + (Math.Sqrt(mean) * normal)));
        }

        var limit = Math.Exp(-mean);
        var count = 0;
        var product = random.NextDouble();
        while (product > limit)
        {
            count++;
            product *= random.NextDouble();
        }

        return count;
    }
}

namespace Serverless.Scaling.Simulation;

/// <summary>Queue waits in whole seconds (the simulation step), weighted by the number of items.</summary>
public sealed class WaitHistogram
{
    private double[] counts = new double[256];

    public double Total { get; private set; }

    public long MaxSeconds { get; private set; }

    public void Add(long waitSeconds, double items)
    {
        if (items <= 0)
        {
            return;
        }

        if (waitSeconds >= counts.Length)
        {
            Array.Resize(ref counts, (int)Math.Max(waitSeconds + 1, counts.Length * 2L));
        }

        counts[waitSeconds] += items;
        Total += items;
        MaxSeconds = Math.Max(MaxSeconds, waitSeconds);
    }

    /// <summary>The smallest wait w such that at least <paramref name="quantile"/> of the items waited w seconds or less.</summary>
    public long Percentile(double quantile)
    {
        if (Total <= 0)
        {
            return 0;
        }

        var threshold = quantile * Total;
        double cumulative = 0;
        for (var seconds = 0; seconds <= MaxSeconds; seconds++)
        {
            cumulative += counts[seconds];
            // A tolerance absorbs the rounding of fractional item counts.
            if (cumulative >= threshold - 1e-9)
            {
                return seconds;
            }
        }

        return MaxSeconds;
    }

    /// <summary>Items that waited strictly longer than <paramref name="seconds"/>.</summary>
    public double Above(long seconds)
    {
        double sum = 0;
        for (var s = seconds + 1; s <= MaxSeconds; s++)
        {
            sum += counts[s];
        }

        return sum;
    }
}

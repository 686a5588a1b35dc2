namespace Serverless.Local.Load;

/// <summary>
/// Orders per second over time: a base rate for <see cref="Duration"/>, multiplied by
/// <see cref="SpikeFactor"/> between <see cref="SpikeStart"/> and <see cref="SpikeStart"/> +
/// <see cref="SpikeLength"/> (a marketing spike).
/// </summary>
public sealed record LoadPlan(
    double OrdersPerSecond,
    TimeSpan Duration,
    double SpikeFactor = 1,
    TimeSpan SpikeStart = default,
    TimeSpan SpikeLength = default,
    int MaxInFlight = 256,
    double DeclineShare = 0)
{
    public double RateAt(TimeSpan elapsed) =>
        elapsed >= SpikeStart && elapsed < SpikeStart + SpikeLength ? OrdersPerSecond * SpikeFactor : OrdersPerSecond;

    public double ExpectedOrders =>
        (OrdersPerSecond * Duration.TotalSeconds)
        + (OrdersPerSecond * (SpikeFactor - 1) * Math.Max(0, (Min(SpikeStart + SpikeLength, Duration) - SpikeStart).TotalSeconds));

    public IEnumerable<string> Validate()
    {
        if (OrdersPerSecond is <= 0 or > 100_000)
        {
            yield return $"--rate must be between 0 and 100000 orders/s; got {OrdersPerSecond}.";
        }

        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromDays(1))
        {
            yield return $"--duration must be positive and at most a day; got {Duration}.";
        }

        if (SpikeFactor is < 1 or > 1000)
        {
            yield return $"--spike-factor must be between 1 and 1000; got {SpikeFactor}.";
        }

        if (SpikeStart < TimeSpan.Zero || SpikeLength < TimeSpan.Zero)
        {
            yield return "--spike-start and --spike-length must not be negative.";
        }

        if (MaxInFlight is < 1 or > 100_000)
        {
            yield return $"--max-in-flight must be between 1 and 100000; got {MaxInFlight}.";
        }

        if (DeclineShare is < 0 or > 1)
        {
            yield return $"--decline-share must be between 0 and 1; got {DeclineShare}.";
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

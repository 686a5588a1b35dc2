namespace Serverless.Scaling.Simulation;

/// <summary>A window during which the scaler cannot read its metric (Temporal or Redis unreachable).</summary>
public sealed record ScalerOutage(long FromSecond, long ToSecond)
{
    public bool Covers(long second) => second >= FromSecond && second < ToSecond;
}

/// <summary>
/// How to run the model. Phases place the first KEDA poll and HPA sync; the explain command uses them to
/// show the worst case (items arrive just after a poll). <see cref="ServiceRateFactor"/> scales every
/// replica's service rate, e.g. 0.05 when an external API slows from 0.8 s to 15 s per call.
/// </summary>
public sealed record SimulationOptions(
    double ServiceRateFactor = 1.0,
    int KedaPhaseSeconds = 0,
    int HpaPhaseSeconds = 0,
    int DrainTailSeconds = SimulationOptions.DefaultDrainTailSeconds,
    IReadOnlyList<ScalerOutage>? ScalerOutages = null)
{
    public const int DefaultDrainTailSeconds = 6 * 3600;

    public static SimulationOptions Default { get; } = new();

    /// <summary>
    /// Items arrive just after a KEDA poll, and the HPA syncs in the same second as the poll (before it), so
    /// the activation waits a full polling interval and the first HPA decision a full sync period.
    /// </summary>
    public static SimulationOptions WorstCaseFrom(int pollingIntervalSeconds) =>
        new(KedaPhaseSeconds: pollingIntervalSeconds, HpaPhaseSeconds: pollingIntervalSeconds);

    public bool ScalerDown(long second)
    {
        if (ScalerOutages is null)
        {
            return false;
        }

        foreach (var outage in ScalerOutages)
        {
            if (outage.Covers(second))
            {
                return true;
            }
        }

        return false;
    }
}

namespace Serverless.Scaling.Simulation;

/// <summary>What an operator wants from a run of one queue.</summary>
public sealed record QueueSummary(
    double ItemsArrived,
    double ItemsUnserved,
    long P50WaitSeconds,
    long P95WaitSeconds,
    long P99WaitSeconds,
    long MaxWaitSeconds,
    double PeakBacklog,
    long PeakBacklogAt,
    long? DrainSeconds,
    long ReplicaSeconds,
    int PeakReplicas,
    double SloBreachedItems,
    int SloWaitSeconds,
    double InterruptedItems,
    int ScaleChanges,
    long SecondsAtZero,
    long SimulatedSeconds)
{
    public double SloBreachFraction => ItemsArrived <= 0 ? 0 : SloBreachedItems / ItemsArrived;

    /// <summary>The SLO holds when the 99th percentile wait is within it (ServiceLevel.Percentile).</summary>
    public bool MeetsSlo => P99WaitSeconds <= SloWaitSeconds;

    public double ReplicaHours => ReplicaSeconds / 3600.0;
}

namespace Serverless.Platform.Hosting;

/// <summary>
/// One shutdown budget per deployable (architecture §9). Every other timeout is derived from it so
/// they nest in the right order:
/// <c>Temporal graceful shutdown &lt; host shutdown timeout = budget &lt; terminationGracePeriodSeconds</c>.
/// </summary>
public sealed class ShutdownBudgetOptions
{
    public const string Section = "Shutdown";

    /// <summary>Time from SIGTERM to exit, in-flight work included.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Kept back from the budget after in-flight work is told to stop (activity cancellation, final
    /// acknowledgements, flushing telemetry).
    /// </summary>
    public TimeSpan CleanupReserve { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What the host waits for hosted services to stop (<c>HostOptions.ShutdownTimeout</c>).</summary>
    public TimeSpan HostShutdownTimeout => Budget;

    /// <summary>
    /// How long in-flight activities may run on after polling stops (Temporal's
    /// <c>GracefulShutdownTimeout</c>, which is zero unless set); after it their token is cancelled.
    /// </summary>
    public TimeSpan DrainTimeout => Budget - CleanupReserve;

    /// <summary>
    /// The pod's <c>terminationGracePeriodSeconds</c> must exceed the budget, or the kubelet's SIGKILL
    /// cuts the drain short. Ten seconds cover the preStop/endpoint-removal race.
    /// </summary>
    public int MinimumTerminationGracePeriodSeconds => (int)Math.Ceiling(Budget.TotalSeconds) + 10;

    public IEnumerable<string> Validate()
    {
        if (Budget <= TimeSpan.Zero || Budget > TimeSpan.FromHours(1))
        {
            yield return $"Shutdown:Budget must be between 0 and 1 hour; got {Budget}.";
        }

        if (CleanupReserve <= TimeSpan.Zero || CleanupReserve >= Budget)
        {
            yield return $"Shutdown:CleanupReserve must be positive and below Shutdown:Budget ({Budget}); got {CleanupReserve}.";
        }
    }
}

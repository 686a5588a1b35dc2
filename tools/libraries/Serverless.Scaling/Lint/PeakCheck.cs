using Serverless.Scaling.Policy;
using Serverless.Scaling.Simulation;
using Serverless.Scaling.Traffic;

namespace Serverless.Scaling.Lint;

/// <summary>
/// The declared peak of one queue: the traffic profile's peak order rate (daily peak × spike factor) times
/// the queue's items per order, sustained for the spike's length, arriving at an idle queue, run through the
/// same model as <c>serverless simulate</c>.
/// </summary>
public sealed record PeakCheck(double ItemsPerSecond, int Seconds, QueueSummary Result)
{
    public const int MinimumSeconds = 60;

    public static PeakCheck Run(EnvironmentPolicy environment, QueuePolicy queue)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(queue);
        var rate = environment.Traffic.PeakOrdersPerSecond * queue.Workload.ItemsPerOrder;
        var seconds = Math.Max(environment.Traffic.Spike.Minutes * 60, MinimumSeconds);
        var trace = ArrivalTrace.Constant(queue.Name, rate, seconds);
        var run = QueueSimulator.Run(queue, environment.Cluster, trace.ItemsFor(queue), SimulationOptions.WorstCaseFrom(queue.Scaling.PollingIntervalSeconds));
        return new PeakCheck(rate, seconds, run.Summary);
    }
}

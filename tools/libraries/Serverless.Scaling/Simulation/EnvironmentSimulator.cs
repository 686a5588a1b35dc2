using Serverless.Scaling.Policy;
using Serverless.Scaling.Traffic;

namespace Serverless.Scaling.Simulation;

/// <summary>One policy's runs over the same arrivals: every selected queue of one environment.</summary>
public sealed record PolicyRun(string Label, EnvironmentPolicy Environment, IReadOnlyList<QueueRun> Queues);

public static class EnvironmentSimulator
{
    /// <summary>Runs the queues one after the other (they are independent; the order keeps output stable).</summary>
    public static PolicyRun Run(
        string label,
        EnvironmentPolicy environment,
        ArrivalTrace trace,
        SimulationOptions options,
        IReadOnlyCollection<string>? onlyQueues = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(trace);
        var runs = new List<QueueRun>();
        foreach (var queue in environment.Queues.Where(q => onlyQueues is null || onlyQueues.Count == 0 || onlyQueues.Contains(q.Name)))
        {
            runs.Add(QueueSimulator.Run(queue, environment.Cluster, trace.ItemsFor(queue), options, cancellationToken));
        }

        return new PolicyRun(label, environment, runs);
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Serverless.Naming;

namespace Serverless.Catalog;

/// <summary>The kinds of Temporal task a pool polls from its queue (the policy's <c>queueTypes</c>).</summary>
[Flags]
public enum TaskTypes
{
    Workflow = 1,
    Activity = 2,
}

/// <summary>
/// A Temporal task queue and the Deployment whose replicas poll it. Which workflow and activity types run
/// on it is the worker's business (Serverless.Workers QueueCatalog, keyed by <see cref="Name"/>).
/// </summary>
/// <param name="Name">The logical task queue; its physical name is <see cref="PhysicalName"/>.</param>
/// <param name="Deployment">The Deployment (and <c>serverless up</c> replica set) polling only this queue.</param>
/// <param name="Polls">The task types it polls.</param>
/// <param name="SlotsPerReplica">
/// One replica's slots for the task type the pool is sized by (workflow tasks when it polls workflows,
/// else activities): the scaler's target per replica.
/// </param>
[SuppressMessage("Naming", "CA1711", Justification = "It names a Temporal task queue, not a collection type.")]
public sealed record ActivityQueue(string Name, string Deployment, TaskTypes Polls, int SlotsPerReplica)
{
    /// <summary>
    /// The base-address settings of the external services its activities call, each with that service's
    /// path on the simulators (workers/Serverless.Simulators), where <c>serverless up</c> points them.
    /// </summary>
    public IReadOnlyList<Setting> SimulatedIntegrations { get; init; } = [];

    /// <summary>
    /// Its Deployment is written by hand (keda/base/apps/<see cref="Deployment"/>.yaml) because it needs
    /// more than an activity pool does; otherwise <c>scalers render</c> renders it from this entry.
    /// </summary>
    public bool HandWrittenDeployment { get; init; }

    /// <summary>The worker setting that gives a replica its <see cref="SlotsPerReplica"/>.</summary>
    public Setting Slots => new(
        $"Workers:Queues:{Name}:{(Polls.HasFlag(TaskTypes.Workflow) ? "MaxConcurrentWorkflowTasks" : "MaxConcurrentActivities")}",
        SlotsPerReplica.ToString(CultureInfo.InvariantCulture));

    /// <summary>What every replica of the pool is configured with, in the Deployment and under <c>serverless up</c>.</summary>
    public IReadOnlyList<Setting> Settings => [new("Workers:Poll", Name), Slots];

    public string PhysicalName(string environment) => ResourceNames.For(environment, Name);
}

using Serverless.Naming;

namespace Serverless.Orders.Contracts;

/// <summary>
/// The logical Temporal task queues; the physical name is <see cref="ResourceNames.For"/> of one.
/// </summary>
public static class TaskQueueNames
{
    public const string Orders = "orders";
    public const string Payments = "payments";
    public const string Inventory = "inventory";

    public static IReadOnlyList<string> Logical { get; } = [Orders, Payments, Inventory];

    /// <summary>
    /// The queue beside <paramref name="currentTaskQueue"/> in the same environment. The workflow
    /// uses this to address its activity queues deterministically: its own task queue is part of
    /// its history, configuration is not.
    /// </summary>
    public static string Sibling(string currentTaskQueue, string queue) =>
        ResourceNames.TrySplit(currentTaskQueue, out var environment, out _) ? ResourceNames.For(environment, queue) : queue;
}

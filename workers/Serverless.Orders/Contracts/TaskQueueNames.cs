using System.Text.RegularExpressions;

namespace Serverless.Orders.Contracts;

/// <summary>
/// Physical Temporal task queue names are <c>{environment}-{queue}</c>, so a dev worker can never
/// poll a prod queue even when both share a Temporal namespace by mistake (architecture §6).
/// </summary>
public static partial class TaskQueueNames
{
    public const string Orders = "orders";
    public const string Payments = "payments";
    public const string Inventory = "inventory";

    public static IReadOnlyList<string> Logical { get; } = [Orders, Payments, Inventory];

    public static string For(string environment, string queue) => $"{environment}-{queue}";

    /// <summary>
    /// The queue beside <paramref name="currentTaskQueue"/> in the same environment. The workflow
    /// uses this to address its activity queues deterministically: its own task queue is part of
    /// its history, configuration is not.
    /// </summary>
    public static string Sibling(string currentTaskQueue, string queue)
    {
        var dash = currentTaskQueue.IndexOf('-', StringComparison.Ordinal);
        return dash <= 0 ? queue : For(currentTaskQueue[..dash], queue);
    }

    public static bool IsValidEnvironment(string? environment) =>
        environment is not null && EnvironmentPattern().IsMatch(environment);

    [GeneratedRegex("^[a-z][a-z0-9]{1,19}$")]
    private static partial Regex EnvironmentPattern();
}

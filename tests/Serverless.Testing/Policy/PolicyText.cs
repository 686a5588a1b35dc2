using Serverless.Catalog;
using Serverless.Scaling.Policy;
using Xunit;

namespace Serverless.Testing.Policy;

/// <summary>The checked-in policy as text, and variants of it with one change, for loader and lint tests.</summary>
public static class PolicyText
{
    public static string CheckedIn { get; } = File.ReadAllText(RepositoryLayout.PolicyPath);

    /// <summary>The checked-in policy with every queue on the backlog signal (KEDA's built-in triggers), as before issue 10.</summary>
    public static string Backlog { get; } = OnBacklog(CheckedIn);

    /// <summary><see cref="Backlog"/> with dev's consumers on <c>activation: push</c>.</summary>
    public static string BacklogWithDevPush { get; } = WithDevPush(Backlog);

    /// <summary>
    /// keda/scalers.yaml as it was when the lint's worked examples were written, frozen here so that a queue
    /// added to the shipped policy changes none of their figures (rates, counts, the first finding).
    /// </summary>
    public static string Example { get; } = File.ReadAllText(RepositoryLayout.ExamplePolicyPath);

    /// <summary>The catalog entries <see cref="Example"/> scales: the lint checks the example against these.</summary>
    public static ServiceCatalog ExampleCatalog { get; } = new(
        [ActivityQueues.Orders, ActivityQueues.Payments, ActivityQueues.Inventory],
        [StreamConsumers.Notifications, StreamConsumers.OrderProjection]);

    public static string ExampleBacklog { get; } = OnBacklog(Example);

    public static string ExampleBacklogWithDevPush { get; } = WithDevPush(ExampleBacklog);

    public static string Replace(string oldValue, string newValue) => Replace(CheckedIn, oldValue, newValue);

    public static string Replace(string yaml, string oldValue, string newValue)
    {
        Assert.Contains(oldValue, yaml, StringComparison.Ordinal);
        return yaml.Replace(oldValue, newValue, StringComparison.Ordinal);
    }

    /// <summary>Appended to the checked-in policy (prod is its last section): keeps the named pools at one replica in prod.</summary>
    public static string ProdFloorOfOne(params string[] queues) =>
        "    queues:\n" + string.Concat(queues.Select(q => $"      {q}: {{minReplicas: 1}}\n"));

    public static PolicyLoadResult Parse(string yaml) => PolicyLoader.Parse(yaml, "scalers.yaml");

    public static ScalerPolicy Valid(string yaml)
    {
        var result = Parse(yaml);
        Assert.False(result.HasErrors, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Policy!;
    }

    /// <summary>The 1-based line of the first occurrence of <paramref name="text"/>.</summary>
    public static int LineOf(string yaml, string text)
    {
        var index = yaml.IndexOf(text, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{text}' not found");
        return yaml[..index].Count(c => c == '\n') + 1;
    }

    private static string OnBacklog(string yaml) => Replace(yaml, "\n  signal: work\n", "\n  signal: backlog\n");

    private static string WithDevPush(string yaml) => yaml
        .Replace("      notifications: {maxReplicas: 1, cooldownSeconds: 60}", "      notifications: {maxReplicas: 1, cooldownSeconds: 60, activation: push}", StringComparison.Ordinal)
        .Replace("      order-projection: {maxReplicas: 1, cooldownSeconds: 60}", "      order-projection: {maxReplicas: 1, cooldownSeconds: 60, activation: push}", StringComparison.Ordinal);
}

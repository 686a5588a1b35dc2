using Serverless.Platform.Environments;

namespace Serverless.Platform.State;

/// <summary>The state store: its Dapr component name and how keys are prefixed (as the component's metadata says).</summary>
public sealed class StateOptions
{
    public const string Section = "State";

    /// <summary>Dapr state component name (used by the Dapr adapter, and by <c>keyPrefix: name</c>).</summary>
    public string StoreName { get; set; } = "statestore";

    /// <summary>The component's <c>keyPrefix</c>: <c>appid</c> (Dapr's default), <c>name</c>, <c>namespace</c>, <c>none</c> or a custom prefix.</summary>
    public string KeyPrefix { get; set; } = "appid";

    /// <summary>The Dapr app-id (<c>dapr.io/app-id</c>); needed by the <c>appid</c> and <c>namespace</c> prefixes.</summary>
    public string? AppId { get; set; }

    /// <summary>Kubernetes namespace for <c>keyPrefix: namespace</c>; defaults to the <c>NAMESPACE</c> variable, as daprd does.</summary>
    public string? Namespace { get; set; } = System.Environment.GetEnvironmentVariable("NAMESPACE");

    /// <summary>The component's <c>ttlInSeconds</c>: applied when a write names no TTL.</summary>
    public int? DefaultTtlInSeconds { get; set; }

    public string? ResolvedPrefix => StateKeys.PrefixFor(KeyPrefix, AppId, StoreName, Namespace);

    public IEnumerable<string> Validate(ServerlessEnvironmentOptions environment)
    {
        if (string.IsNullOrWhiteSpace(StoreName))
        {
            yield return "State:StoreName must name the Dapr state component (e.g. statestore).";
        }

        if (string.IsNullOrWhiteSpace(KeyPrefix))
        {
            yield return "State:KeyPrefix must be appid, name, namespace, none or a custom prefix.";
        }
        else if (KeyPrefix.ToLowerInvariant() is "appid" or "namespace" && string.IsNullOrWhiteSpace(AppId))
        {
            yield return $"State:KeyPrefix is '{KeyPrefix}', which prefixes keys with the app-id, but State:AppId is not set.";
        }

        if (ResolvedPrefix?.Contains(StateKeys.Separator, StringComparison.Ordinal) == true)
        {
            yield return $"State key prefix '{ResolvedPrefix}' contains '{StateKeys.Separator}', which Dapr rejects.";
        }

        foreach (var mixing in EnvironmentGuard.FindMixing(
                     environment, [("State:KeyPrefix", KeyPrefix), ("State:AppId", AppId), ("State:StoreName", StoreName)]))
        {
            yield return mixing;
        }
    }
}

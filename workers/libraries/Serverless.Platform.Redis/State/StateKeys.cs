namespace Serverless.Platform.State;

/// <summary>
/// Dapr's key naming (platform-semantics §6.1): the runtime rewrites every key according to the
/// component's <c>keyPrefix</c> before it reaches Redis. We apply the same rule so that a service
/// without a sidecar reads and writes the keys a service with one does.
/// </summary>
public static class StateKeys
{
    public const string Separator = "||";

    /// <summary>The prefix for <paramref name="keyPrefix"/>: <c>appid</c>, <c>name</c>, <c>namespace</c>, <c>none</c> (case-insensitive) or a custom string.</summary>
    public static string? PrefixFor(string keyPrefix, string? appId, string storeName, string? kubernetesNamespace) =>
        keyPrefix.ToLowerInvariant() switch
        {
            "appid" => appId,
            "name" => storeName,
            "namespace" => string.IsNullOrEmpty(kubernetesNamespace) ? appId : $"{kubernetesNamespace}.{appId}",
            "none" => null,
            _ => keyPrefix,
        };

    public static string Compose(string? prefix, string key)
    {
        if (key.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"State key '{key}' contains '{Separator}', which Dapr rejects.", nameof(key));
        }

        return string.IsNullOrEmpty(prefix) ? key : prefix + Separator + key;
    }
}

using System.Text.RegularExpressions;

namespace Serverless.Functions.SelfHost.Edge;

/// <summary>What the self-host adds in place of the Functions host (section <c>SelfHost</c>).</summary>
public sealed partial class SelfHostOptions
{
    public const string Section = "SelfHost";
    public const int MinimumKeyLength = 32;

    /// <summary>
    /// Client name → API key. Keys come from a secret (<c>SelfHost__ApiKeys__shop=…</c>), never from
    /// code or a checked-in file; the name is what logs and rate limits are keyed by.
    /// </summary>
    public Dictionary<string, string> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    public ApiKeyRateLimit RateLimit { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (ApiKeys.Count == 0)
        {
            yield return "SelfHost:ApiKeys names no client: every order endpoint requires an API key. " +
                         "Set SelfHost__ApiKeys__<client>=<key> from a secret (e.g. a key made with 'openssl rand -hex 32').";
        }

        foreach (var (client, key) in ApiKeys)
        {
            if (!ClientName().IsMatch(client))
            {
                yield return $"SelfHost:ApiKeys:{client}: client names are 1-64 lower-case letters, digits or '-'.";
            }

            if (key is null || key.Length < MinimumKeyLength || key.Any(c => c is <= ' ' or >= (char)127))
            {
                yield return $"SelfHost:ApiKeys:{client} must be at least {MinimumKeyLength} printable ASCII characters without spaces.";
            }
        }

        foreach (var shared in ApiKeys.GroupBy(k => k.Value, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"SelfHost:ApiKeys: clients {string.Join(", ", shared.Select(k => k.Key))} share one key; give each its own.";
        }

        if (RateLimit.PermitsPerSecond is < 0 or > 100_000)
        {
            yield return $"SelfHost:RateLimit:PermitsPerSecond must be between 0 (no limit) and 100000; got {RateLimit.PermitsPerSecond}.";
        }

        if (RateLimit.Burst < 0 || (RateLimit.PermitsPerSecond > 0 && RateLimit.Burst > 0 && RateLimit.Burst < RateLimit.PermitsPerSecond))
        {
            yield return $"SelfHost:RateLimit:Burst must be 0 (= PermitsPerSecond) or at least PermitsPerSecond ({RateLimit.PermitsPerSecond}); got {RateLimit.Burst}.";
        }
    }

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{0,63}\z")]
    private static partial Regex ClientName();
}

/// <summary>Per-client token bucket: <see cref="PermitsPerSecond"/> sustained, <see cref="Burst"/> at once. 0 = off.</summary>
public sealed class ApiKeyRateLimit
{
    public int PermitsPerSecond { get; set; }

    public int Burst { get; set; }

    public bool Enabled => PermitsPerSecond > 0;

    public int BucketSize => Burst > 0 ? Burst : PermitsPerSecond;
}

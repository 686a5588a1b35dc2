using System.Text.RegularExpressions;
using Serverless.Naming;

namespace Serverless.Platform.Environments;

/// <summary>
/// Refuses configurations that mix environments: a setting whose value names a known environment
/// other than the process's own (a dev worker pointed at the <c>prod</c> namespace, a
/// <c>prod-payments</c> queue, a <c>prod:</c> key prefix) is reported with the setting's name.
/// </summary>
public static partial class EnvironmentGuard
{
    public static IEnumerable<string> FindMixing(
        ServerlessEnvironmentOptions environment, IEnumerable<(string Setting, string? Value)> settings)
    {
        var others = environment.KnownEnvironments
            .Where(known => !string.Equals(known, environment.Environment, StringComparison.OrdinalIgnoreCase))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (setting, value) in settings)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            var foreign = Tokens().Matches(value).Select(m => m.Value).FirstOrDefault(others.Contains);
            if (foreign is not null)
            {
                yield return $"{setting} is '{value}', which belongs to environment '{foreign}', but this process runs in " +
                             $"environment '{environment.Environment}' (Serverless:Environment). Refusing to start: " +
                             "a process must never touch another environment's resources.";
            }
        }
    }

    public static IEnumerable<string> ValidateEnvironment(ServerlessEnvironmentOptions environment)
    {
        if (!ResourceNames.IsValidEnvironment(environment.Environment))
        {
            yield return $"Serverless:Environment must be set to {ResourceNames.EnvironmentRule}; got '{environment.Environment}'.";
        }
        else if (!environment.KnownEnvironments.Contains(environment.Environment, StringComparer.Ordinal))
        {
            yield return $"Serverless:Environment '{environment.Environment}' is not one of Serverless:KnownEnvironments " +
                         $"({string.Join(", ", environment.KnownEnvironments)}).";
        }
    }

    [GeneratedRegex("[A-Za-z0-9]+")]
    private static partial Regex Tokens();
}

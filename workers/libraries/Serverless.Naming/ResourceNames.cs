using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Serverless.Naming;

/// <summary>
/// The environment rule (architecture §6): every shared resource (Temporal task queue, Redis
/// stream) is named <c>{environment}-{name}</c>, so a dev process can never touch a prod resource
/// even when both share a Temporal namespace or a Redis by mistake. An environment name is 2-20
/// lower-case letters and digits, starting with a letter: it can hold no <c>-</c>, so the first
/// <c>-</c> of a physical name always ends the environment.
/// </summary>
public static partial class ResourceNames
{
    /// <summary>Stands for the environment in a template (<c>keda/scalers.yaml</c>: <c>{environment}-orders</c>).</summary>
    public const string EnvironmentToken = "{environment}";

    /// <summary>What <see cref="IsValidEnvironment"/> accepts, for error messages.</summary>
    public const string EnvironmentRule = "a lower-case name of 2-20 letters and digits starting with a letter (dev, staging, prod, ...)";

    public static bool IsValidEnvironment([NotNullWhen(true)] string? environment) =>
        environment is not null && EnvironmentPattern().IsMatch(environment);

    /// <summary>The physical name of <paramref name="name"/> in <paramref name="environment"/>.</summary>
    public static string For(string environment, string name)
    {
        if (!IsValidEnvironment(environment))
        {
            throw new ArgumentException($"'{environment}' is not an environment name: {EnvironmentRule}.", nameof(environment));
        }

        ArgumentException.ThrowIfNullOrEmpty(name);
        return $"{environment}-{name}";
    }

    /// <summary>Splits a physical name into its environment and logical name; false when it has no valid environment prefix.</summary>
    public static bool TrySplit(string? physical, [NotNullWhen(true)] out string? environment, [NotNullWhen(true)] out string? name)
    {
        var dash = physical?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (dash > 0 && dash < physical!.Length - 1 && IsValidEnvironment(physical[..dash]))
        {
            environment = physical[..dash];
            name = physical[(dash + 1)..];
            return true;
        }

        environment = null;
        name = null;
        return false;
    }

    /// <summary>The logical name of <paramref name="physical"/> when it belongs to <paramref name="environment"/>; null otherwise.</summary>
    public static string? LogicalIn(string environment, string physical) =>
        TrySplit(physical, out var owner, out var name) && string.Equals(owner, environment, StringComparison.Ordinal) ? name : null;

    /// <summary>
    /// <paramref name="name"/> in the environment of <paramref name="physical"/>; <paramref name="name"/> itself
    /// when that has no environment. A workflow addresses its activity queues this way: its own task queue is
    /// part of its history, configuration is not.
    /// </summary>
    public static string Sibling(string physical, string name) =>
        TrySplit(physical, out var environment, out _) ? For(environment, name) : name;

    /// <summary>Replaces <see cref="EnvironmentToken"/> in a template.</summary>
    public static string Expand(string template, string environment) =>
        template.Replace(EnvironmentToken, environment, StringComparison.Ordinal);

    [GeneratedRegex("^[a-z][a-z0-9]{1,19}\\z")]
    private static partial Regex EnvironmentPattern();
}

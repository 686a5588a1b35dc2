using Xunit;

namespace Serverless.Testing;

/// <summary>
/// Detects engines this machine may lack. A test that needs one calls <c>Require…</c>: it runs
/// when the engine is there and is skipped otherwise with a reason starting with
/// <see cref="MissingPrefix"/>, which CI counts separately. A skip is never a pass.
/// </summary>
public static class Engines
{
    public const string MissingPrefix = "engine missing:";

    /// <summary>The Temporal CLI (it embeds the dev server): <c>TEMPORAL_CLI_PATH</c>, else <c>temporal</c> on PATH.</summary>
    public static string? TemporalCli
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("TEMPORAL_CLI_PATH");
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return File.Exists(configured) ? configured : null;
            }

            return FindOnPath("temporal");
        }
    }

    public static string RequireTemporalCli()
    {
        RequireTrait(RequiresEngineAttribute.Temporal);
        var cli = TemporalCli;
        Assert.SkipWhen(
            cli is null,
            $"{MissingPrefix} Temporal server (set TEMPORAL_CLI_PATH or put the 'temporal' CLI on PATH to run this test)");
        return cli!;
    }

    /// <summary>The gRPC endpoint of a Dapr sidecar (<c>daprd</c>) with statestore/pubsub components on the test Redis.</summary>
    public static string RequireDaprSidecar()
    {
        RequireTrait(RequiresEngineAttribute.Dapr);
        var sidecar = Environment.GetEnvironmentVariable("SERVERLESS_TEST_DAPR");
        Assert.SkipWhen(
            string.IsNullOrWhiteSpace(sidecar),
            $"{MissingPrefix} Dapr sidecar (run daprd with statestore/pubsub components on the test Redis and set SERVERLESS_TEST_DAPR to its gRPC endpoint)");
        return sidecar!;
    }

    /// <summary><c>host:port</c> of the Redis the test run provides (scripts/test.sh starts one).</summary>
    public static string RequireRedis() =>
        RequireProvided("redis", "SERVERLESS_TEST_REDIS", "Redis (run scripts/test.sh, or set SERVERLESS_TEST_REDIS=host:port)");

    /// <summary>Npgsql connection string of the PostgreSQL the test run provides (scripts/test.sh starts one).</summary>
    public static string RequirePostgres() =>
        RequireProvided("postgres", "SERVERLESS_TEST_POSTGRES", "PostgreSQL (run scripts/test.sh, or set SERVERLESS_TEST_POSTGRES to a connection string)");

    /// <summary>
    /// Node.js and npm, which run the Kubernetes and KEDA schema validators of the manifest tests (ManifestValidator):
    /// skipped when absent in a bare <c>dotnet test</c>, a failure when the run promised them (scripts/test.sh installs them).
    /// </summary>
    public static (string Node, string Npm) RequireNode()
    {
        var node = FindOnPath("node");
        var npm = FindOnPath("npm");
        if (node is not null && npm is not null)
        {
            return (node, npm);
        }

        Missing("node", "Node.js and npm (install them, or run scripts/test.sh, which installs them)", "they are not on PATH");
        return default;
    }

    public static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, executable))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// A test that needs an engine this machine may lack says so with its trait, so the run can report
    /// it apart (scripts/test.sh); one that forgot fails here instead of hiding among the unit tests.
    /// </summary>
    private static void RequireTrait(string engine)
    {
        if (TestContext.Current.Test is { } test
            && !(test.Traits.TryGetValue(RequiresEngineAttribute.Trait, out var engines) && engines.Contains(engine)))
        {
            Assert.Fail($"{test.TestDisplayName} needs the {engine} engine: mark it [RequiresEngine(RequiresEngineAttribute.{char.ToUpperInvariant(engine[0])}{engine[1..]})].");
        }
    }

    /// <summary>
    /// Engines this machine can provide: skipped when absent in a bare <c>dotnet test</c>, but a
    /// failure when the run promised them (<c>SERVERLESS_REQUIRE_ENGINES</c>, set by scripts/test.sh).
    /// </summary>
    private static string RequireProvided(string engine, string variable, string description)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        Missing(engine, description, $"{variable} is not set");
        return string.Empty;
    }

    /// <summary>Skips, or fails when the run promised the engine (<c>SERVERLESS_REQUIRE_ENGINES</c>).</summary>
    private static void Missing(string engine, string description, string why)
    {
        var required = (Environment.GetEnvironmentVariable("SERVERLESS_REQUIRE_ENGINES") ?? string.Empty)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (required.Contains(engine, StringComparer.OrdinalIgnoreCase))
        {
            Assert.Fail($"{description}: {why}, but SERVERLESS_REQUIRE_ENGINES says this run provides {engine}.");
        }

        Assert.Skip($"{MissingPrefix} {description}");
    }
}

using Xunit.v3;

namespace Serverless.Testing;

/// <summary>
/// Marks a test (or every test of a class) that needs an engine this machine may lack, with the
/// trait <c>Engine=&lt;name&gt;</c>: scripts/test.sh reports those tests apart, and
/// <c>--filter-trait Engine=temporal</c> runs only them. The test still detects the engine itself
/// (<see cref="Engines"/>) and skips when it is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class RequiresEngineAttribute(string engine) : Attribute, ITraitAttribute
{
    public const string Trait = "Engine";

    /// <summary>The Temporal server (the <c>temporal</c> CLI's dev server).</summary>
    public const string Temporal = "temporal";

    /// <summary>The Dapr sidecar (<c>daprd</c>).</summary>
    public const string Dapr = "dapr";

    public string Engine { get; } = engine;

    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(Trait, Engine)];
}

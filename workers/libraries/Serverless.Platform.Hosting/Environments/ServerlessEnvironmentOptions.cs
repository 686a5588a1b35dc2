namespace Serverless.Platform.Environments;

/// <summary>The environment this process belongs to (architecture §6).</summary>
public sealed class ServerlessEnvironmentOptions
{
    public const string Section = "Serverless";

    /// <summary>dev, staging, prod, ...: lower-case letters and digits, part of every resource name.</summary>
    public string Environment { get; set; } = string.Empty;

    /// <summary>Every environment that exists; a setting naming another one than ours is a mix-up.</summary>
    public List<string> KnownEnvironments { get; set; } = ["dev", "staging", "prod"];

    /// <summary>The only environment allowed to move real money or touch real customers.</summary>
    public string ProductionEnvironment { get; set; } = "prod";

    public bool IsProduction => string.Equals(Environment, ProductionEnvironment, StringComparison.Ordinal);
}

namespace Serverless.Catalog;

/// <summary>
/// One configuration value a pool's replicas run with. <see cref="Key"/> is the configuration path the
/// host binds (<c>Workers:Poll</c>); a Deployment and a local process pass it as <see cref="EnvironmentVariable"/>.
/// </summary>
public sealed record Setting(string Key, string Value)
{
    public string EnvironmentVariable => Key.Replace(":", "__", StringComparison.Ordinal);
}

namespace Serverless.Functions.SelfHost.Edge;

/// <summary>
/// The management port (section <c>Management</c>): probes with their details and the Prometheus
/// scrape, on every host the public <c>Urls</c> name, never on the public port itself.
/// </summary>
public sealed class ManagementOptions
{
    public const string Section = "Management";
    public const int DefaultPort = 8084;

    /// <summary>TCP port; 0 lets the system choose (tests).</summary>
    public int Port { get; set; } = DefaultPort;

    public IEnumerable<string> Validate()
    {
        if (Port is < 0 or > 65535)
        {
            yield return $"Management:Port must be a TCP port (1-65535, or 0 for any free one); got {Port}.";
        }
    }
}

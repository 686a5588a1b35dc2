namespace Serverless.Platform.Temporal;

/// <summary>Where the Temporal frontend is and which namespace we use.</summary>
public sealed class TemporalOptions
{
    public const string Section = "Temporal";

    /// <summary>gRPC <c>host:port</c> of the Temporal frontend.</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>Defaults to the environment name (dev → namespace <c>dev</c>).</summary>
    public string? Namespace { get; set; }

    /// <summary>Temporal Cloud API key; from a secret.</summary>
    public string? ApiKey { get; set; }

    public bool Tls { get; set; }
}

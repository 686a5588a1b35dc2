namespace Serverless.Platform.Dapr;

/// <summary>
/// Whether this process talks to a Dapr sidecar. Without one (local runs, tests, teams without
/// Dapr) state and events go straight to Redis in Dapr's own format (architecture §9).
/// The sidecar's address comes from <c>DAPR_GRPC_ENDPOINT</c> / <c>DAPR_GRPC_PORT</c>, as the SDK reads them.
/// </summary>
public sealed class DaprOptions
{
    public const string Section = "Dapr";

    public bool Enabled { get; set; }
}

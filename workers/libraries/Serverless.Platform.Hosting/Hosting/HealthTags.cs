namespace Serverless.Platform.Hosting;

public static class HealthTags
{
    /// <summary>Checks that gate readiness (traffic / work); liveness runs none, so a slow dependency never restarts a pod.</summary>
    public const string Ready = "ready";
}

namespace Serverless.Platform.Hosting;

public static class ReplicaNames
{
    /// <summary>
    /// <paramref name="name"/> plus 6 random hex digits, for replicas that share a host name. A
    /// uniqueness suffix, not a secret: <see cref="Random.Shared"/>, so a cold start does not load
    /// OpenSSL for it.
    /// </summary>
    public static string WithRandomSuffix(string name) => $"{name}-{Random.Shared.GetHexString(6, lowercase: true)}";
}

namespace Serverless.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The policy has errors, lint found errors, or committed manifests differ from the policy.</summary>
    public const int Findings = 1;

    /// <summary>The command could not run: a missing file, an unknown environment or queue, a malformed trace.</summary>
    public const int Usage = 2;
}

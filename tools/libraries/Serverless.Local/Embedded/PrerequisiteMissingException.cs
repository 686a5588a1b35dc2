namespace Serverless.Local.Embedded;

/// <summary>Something `serverless up` needs is not on this machine; the message says what and how to get it.</summary>
public sealed class PrerequisiteMissingException(string what, string problem, string howToInstall)
    : Exception($"{what}: {problem}. {howToInstall}")
{
    public string What { get; } = what;

    public string HowToInstall { get; } = howToInstall;
}

namespace Serverless.Scaling.Policy;

/// <summary>A place in the policy file (1-based line and column) an operator can jump to.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

using Serverless.Scaling.Policy;

namespace Serverless.Cli.Tests.Support;

/// <summary>The checked-in policy as text, and variants of it with one change, for loader and lint tests.</summary>
public static class PolicyText
{
    public static string CheckedIn { get; } = File.ReadAllText(RepositoryLayout.PolicyPath);

    public static string Replace(string oldValue, string newValue)
    {
        Assert.Contains(oldValue, CheckedIn, StringComparison.Ordinal);
        return CheckedIn.Replace(oldValue, newValue, StringComparison.Ordinal);
    }

    /// <summary>Appended to the checked-in policy (prod is its last section): keeps the named pools at one replica in prod.</summary>
    public static string ProdFloorOfOne(params string[] queues) =>
        "    queues:\n" + string.Concat(queues.Select(q => $"      {q}: {{minReplicas: 1}}\n"));

    public static PolicyLoadResult Parse(string yaml) => PolicyLoader.Parse(yaml, "scalers.yaml");

    public static ScalerPolicy Valid(string yaml)
    {
        var result = Parse(yaml);
        Assert.False(result.HasErrors, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Policy!;
    }

    /// <summary>The 1-based line of the first occurrence of <paramref name="text"/>.</summary>
    public static int LineOf(string yaml, string text)
    {
        var index = yaml.IndexOf(text, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{text}' not found");
        return yaml[..index].Count(c => c == '\n') + 1;
    }
}

namespace Serverless.Bench.ScalerSimulation;

internal static class RepositoryFiles
{
    /// <summary>keda/scalers.yaml of the checkout this benchmark was built from.</summary>
    public static string Policy()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "keda", "scalers.yaml");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("keda/scalers.yaml not found above the benchmark; pass the policy path as the first argument");
    }
}

using System.Text.Json;

namespace Serverless.Cli.Commands;

/// <summary>
/// What a running <c>serverless up</c> tells other commands on this machine (the API address and
/// key), in <c>.serverless/up.json</c> under the repository root, so <c>serverless load</c> needs no flags.
/// </summary>
internal sealed record LocalSession(Uri ApiAddress, string ApiKey)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string PathUnder(string repositoryRoot) => Path.Combine(repositoryRoot, ".serverless", "up.json");

    public void Save(string repositoryRoot)
    {
        var path = PathUnder(repositoryRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
        // It holds an API key: readable by this user only.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public static void Delete(string repositoryRoot) => File.Delete(PathUnder(repositoryRoot));

    public static LocalSession? Load(string repositoryRoot)
    {
        var path = PathUnder(repositoryRoot);
        return File.Exists(path) ? JsonSerializer.Deserialize<LocalSession>(File.ReadAllText(path), Json) : null;
    }
}

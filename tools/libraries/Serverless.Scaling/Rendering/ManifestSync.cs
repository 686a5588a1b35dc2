namespace Serverless.Scaling.Rendering;

public enum ManifestChangeKind
{
    Create,
    Update,
    Delete,
}

public sealed record ManifestChange(ManifestChangeKind Kind, string Path);

/// <summary>
/// Keeps a directory of rendered manifests equal to the policy: <c>&lt;root&gt;/&lt;environment&gt;/**/*.yaml</c> is
/// owned by the renderer, so files it no longer produces are stale and removed. A directory under the root
/// is only removed when every file in it carries the renderer's header.
/// </summary>
public static class ManifestSync
{
    public const string GeneratedMarker = "# " + KedaManifestRenderer.GeneratedBy;

    public static IReadOnlyList<ManifestChange> Plan(string root, IReadOnlyDictionary<string, IReadOnlyList<RenderedFile>> filesByEnvironment)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(filesByEnvironment);
        var changes = new List<ManifestChange>();
        foreach (var (environment, files) in filesByEnvironment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var directory = Path.Combine(root, environment);
            foreach (var file in files)
            {
                var path = Path.Combine(directory, file.RelativePath);
                if (!File.Exists(path))
                {
                    changes.Add(new ManifestChange(ManifestChangeKind.Create, path));
                }
                else if (!string.Equals(File.ReadAllText(path), file.Content, StringComparison.Ordinal))
                {
                    changes.Add(new ManifestChange(ManifestChangeKind.Update, path));
                }
            }

            if (Directory.Exists(directory))
            {
                var produced = files.Select(f => Path.Combine(directory, f.RelativePath)).ToHashSet(StringComparer.Ordinal);
                changes.AddRange(Directory.GetFiles(directory, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                    .Where(path => !produced.Contains(path))
                    .Select(path => new ManifestChange(ManifestChangeKind.Delete, path)));
            }
        }

        if (Directory.Exists(root))
        {
            foreach (var directory in Directory.GetDirectories(root).Order(StringComparer.Ordinal)
                         .Where(d => !filesByEnvironment.ContainsKey(Path.GetFileName(d))))
            {
                var files = Directory.GetFiles(directory, "*", SearchOption.AllDirectories);
                if (files.Length > 0 && files.All(IsGenerated))
                {
                    changes.AddRange(files.Order(StringComparer.Ordinal).Select(f => new ManifestChange(ManifestChangeKind.Delete, f)));
                }
            }
        }

        return changes;
    }

    public static void Apply(IReadOnlyList<ManifestChange> changes, IReadOnlyDictionary<string, IReadOnlyList<RenderedFile>> filesByEnvironment, string root)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(filesByEnvironment);
        var contents = filesByEnvironment
            .SelectMany(e => e.Value.Select(f => (Path: Path.Combine(root, e.Key, f.RelativePath), f.Content)))
            .ToDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (change.Kind == ManifestChangeKind.Delete)
            {
                File.Delete(change.Path);
                for (var directory = Path.GetDirectoryName(change.Path)!;
                     IsInside(directory, root) && Directory.Exists(directory) && Directory.GetFileSystemEntries(directory).Length == 0;
                     directory = Path.GetDirectoryName(directory)!)
                {
                    Directory.Delete(directory);
                }

                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(change.Path)!);
            File.WriteAllText(change.Path, contents[change.Path]);
        }
    }

    private static bool IsInside(string directory, string root) =>
        Path.GetFullPath(directory).StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static bool IsGenerated(string path)
    {
        using var reader = new StreamReader(path);
        return reader.ReadLine()?.StartsWith(GeneratedMarker, StringComparison.Ordinal) == true;
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Serverless.Testing.Processes;

namespace Serverless.Testing.Manifests;

/// <summary>One schema violation: the field (a JSON pointer) and what is wrong with it.</summary>
public sealed record SchemaError(string Field, string Message)
{
    public const string UnknownField = "unknown field (the API server would drop it silently)";
}

/// <summary>
/// Validates rendered documents with nothing from outside the repository but registry packages. Kubernetes and KEDA
/// kinds: the validators of the npm packages <c>kubernetes-models</c> and <c>@kubernetes-models/keda</c>
/// (validator/package.json pins them; scripts/test.sh installs them, a run without installs them itself), under Node.js
/// (validator/validate.mjs), closed against unknown fields. Dapr kinds: the repository's own schema
/// (dapr.schema.json), closed as well. Kubernetes prunes an unknown field of a structural schema silently, so a
/// misspelt field must fail here instead of vanishing.
/// </summary>
public static class ManifestValidator
{
    private static readonly TimeSpan ValidateBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallBound = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static readonly Lazy<JsonNode> DaprSchema = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "dapr.schema.json")))!);
    private static readonly Dictionary<string, JsonSchema> DaprSchemas = [];

    private static string Folder => Path.Combine(RepoPaths.Root, "tests", "Serverless.Testing", "Manifests");

    private static string ValidatorFolder => Path.Combine(Folder, "validator");

    /// <summary>Per document, in order, every schema error; an empty list when the document is valid.</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<SchemaError>>> ValidateAsync(IReadOnlyList<JsonNode> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var results = new IReadOnlyList<SchemaError>[documents.Count];
        var forNode = new List<int>();
        for (var i = 0; i < documents.Count; i++)
        {
            if (IsDapr(documents[i]))
            {
                results[i] = ValidateDapr(documents[i]);
            }
            else
            {
                forNode.Add(i);
            }
        }

        if (forNode.Count > 0)
        {
            var validated = await ValidateWithNodeAsync([.. forNode.Select(i => documents[i])], cancellationToken);
            for (var n = 0; n < forNode.Count; n++)
            {
                results[forNode[n]] = validated[n];
            }
        }

        return results;
    }

    private static bool IsDapr(JsonNode document) =>
        (document["apiVersion"] as JsonValue)?.ToString().StartsWith("dapr.io/", StringComparison.Ordinal) == true;

    private static IReadOnlyList<SchemaError> ValidateDapr(JsonNode document)
    {
        var apiVersion = document["apiVersion"]!.ToString();
        var kind = (document["kind"] as JsonValue)?.ToString() ?? string.Empty;
        var definition = $"{kind}.{apiVersion["dapr.io/".Length..]}";
        if (DaprSchema.Value["$defs"]?[definition] is null)
        {
            return [new SchemaError("/apiVersion", $"no schema for {apiVersion} {kind} in dapr.schema.json")];
        }

        JsonSchema schema;
        lock (DaprSchemas)
        {
            if (!DaprSchemas.TryGetValue(definition, out schema!))
            {
                var root = DaprSchema.Value.DeepClone().AsObject();
                root["$ref"] = $"#/$defs/{definition}";
                schema = JsonSchema.FromText(root.ToJsonString());
                DaprSchemas[definition] = schema;
            }
        }

        using var json = JsonDocument.Parse(document.ToJsonString());
        var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            // A oneOf reports why each branch it did not take failed; only its own verdict counts.
            : [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => new SchemaError(d.InstanceLocation.ToString() is { Length: > 0 } pointer ? pointer : "/", DaprMessage(d.EvaluationPath.ToString(), e.Value))))
                .Distinct()];
    }

    /// <summary>A false schema is a field the object does not have, or one that a field beside it excludes (dependentSchemas).</summary>
    private static string DaprMessage(string evaluationPath, string message) =>
        !message.Contains("false schema", StringComparison.Ordinal) ? message
        : evaluationPath.Contains("/dependentSchemas/", StringComparison.Ordinal) ? "excluded by a field set beside it (dapr.schema.json, dependentSchemas)"
        : SchemaError.UnknownField;

    private static async Task<IReadOnlyList<IReadOnlyList<SchemaError>>> ValidateWithNodeAsync(IReadOnlyList<JsonNode> documents, CancellationToken cancellationToken)
    {
        var (node, npm) = Engines.RequireNode();
        await EnsureInstalledAsync(npm, cancellationToken);
        var output = await RunAsync(node, ["validate.mjs"], new JsonArray([.. documents.Select(d => d.DeepClone())]).ToJsonString(), ValidateBound, cancellationToken);
        var results = JsonNode.Parse(output)!.AsArray();
        return [.. results.Select(r => (IReadOnlyList<SchemaError>)[.. r!.AsArray().Select(e => new SchemaError(e!["pointer"]!.GetValue<string>(), e["message"]!.GetValue<string>()))])];
    }

    /// <summary>
    /// <c>npm ci</c> of the pinned packages when they are not installed yet; one install at a time in this process, and
    /// across processes (test projects run in parallel) by an exclusive lock file.
    /// </summary>
    private static async Task EnsureInstalledAsync(string npm, CancellationToken cancellationToken)
    {
        static bool Installed() =>
            File.Exists(Path.Combine(ValidatorFolder, "node_modules", "kubernetes-models", "package.json"))
            && File.Exists(Path.Combine(ValidatorFolder, "node_modules", "@kubernetes-models", "keda", "package.json"));

        if (Installed())
        {
            return;
        }

        await InstallGate.WaitAsync(cancellationToken);
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(InstallBound);
            await using var lockFile = await LockAsync(Path.Combine(ValidatorFolder, ".install.lock"), bounded.Token);
            if (!Installed())
            {
                await RunAsync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], input: null, InstallBound, cancellationToken);
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                // Another test process is installing: wait for it to let go.
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    /// <summary>A child process in the validator folder, killed when it outlives <paramref name="bound"/>; fails with its stderr.</summary>
    private static async Task<string> RunAsync(string executable, string[] arguments, string? input, TimeSpan bound, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = ValidatorFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(bound);
        var output = process.StandardOutput.ReadToEndAsync(bounded.Token);
        var error = process.StandardError.ReadToEndAsync(bounded.Token);
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), bounded.Token);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(executable)} {string.Join(' ', arguments)} did not finish within {bound.TotalSeconds} s");
        }

        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{Path.GetFileName(executable)} {string.Join(' ', arguments)} in {ValidatorFolder} failed (exit {process.ExitCode}): {await error}");
    }
}

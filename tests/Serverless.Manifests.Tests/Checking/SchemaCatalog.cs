using Serverless.Testing.Manifests;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>
/// Every rendered document against the schema of its kind (ManifestValidator: the Kubernetes and KEDA schemas of the
/// kubernetes-models packages, the repository's Dapr schema), closed against unknown fields. A kind without a schema
/// is a finding: nothing is deployed unvalidated.
/// </summary>
public static class SchemaCatalog
{
    public static async Task<IReadOnlyList<Finding>> ValidateAsync(ManifestSet manifests, CancellationToken cancellationToken)
    {
        var results = await ManifestValidator.ValidateAsync([.. manifests.All.Select(m => m.Body)], cancellationToken);
        return [.. manifests.All.Zip(results).SelectMany(pair => pair.Second.Select(e => new Finding(pair.First.Id, e.Field, "schema: " + e.Message)))];
    }
}

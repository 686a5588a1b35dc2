using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Functions.OpenApi;

/// <summary>
/// Serves the checked-in OpenAPI description inside the Functions host. The self-host generates
/// the description from the function classes at the same path, and a test keeps the checked-in
/// file equal to what it generates.
/// </summary>
public static class OpenApiFunctions
{
    public const string Route = "api/openapi.json";
    public const string ResourceName = "openapi.json";

    [Function(nameof(OpenApiDocument))]
    public static IActionResult OpenApiDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request) =>
        new FileContentResult(CheckedInDocument(), "application/json");

    public static byte[] CheckedInDocument()
    {
        using var stream = typeof(OpenApiFunctions).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"The assembly lacks its embedded {ResourceName}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

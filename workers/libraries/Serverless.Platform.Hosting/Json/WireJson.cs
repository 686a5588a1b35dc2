using System.Text.Json;

namespace Serverless.Platform.Json;

/// <summary>
/// The JSON of everything we put on the wire or in Redis. It is <see cref="JsonSerializerDefaults.Web"/>,
/// exactly what <c>DaprClient</c> uses by default, so a value saved by the direct Redis adapter is the
/// same bytes a service with a Dapr sidecar would have saved.
/// </summary>
public static class WireJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}

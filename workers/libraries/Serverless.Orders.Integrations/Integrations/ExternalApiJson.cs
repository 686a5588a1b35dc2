using System.Text.Json;

namespace Serverless.Orders.Integrations;

public static class ExternalApiJson
{
    /// <summary>camelCase JSON, as the external APIs (and our simulators) speak it.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}

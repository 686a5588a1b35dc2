using System.Text.Json;
using Serverless.Platform.Json;

namespace Serverless.Platform.Messaging;

/// <summary>Reads a CloudEvent from bytes a stream entry or an HTTP body carried; anything else is named as malformed.</summary>
public static class CloudEventReader
{
    public static bool TryRead(ReadOnlySpan<byte> json, out CloudEvent? cloudEvent, out string? problem)
    {
        cloudEvent = null;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"not a CloudEvent: the JSON is a {document.RootElement.ValueKind}, not an object";
                return false;
            }

            cloudEvent = document.RootElement.Deserialize<CloudEvent>(WireJson.Options);
        }
        catch (JsonException e)
        {
            problem = $"not a CloudEvent: {e.Message}";
            return false;
        }

        problem = Check(cloudEvent!);
        if (problem is not null)
        {
            cloudEvent = null;
        }

        return problem is null;
    }

    private static string? Check(CloudEvent e)
    {
        if (e.SpecVersion != CloudEvent.SpecVersion10)
        {
            return $"not a CloudEvent 1.0: specversion is '{e.SpecVersion}'";
        }

        if (string.IsNullOrWhiteSpace(e.Id) || string.IsNullOrWhiteSpace(e.Source) || string.IsNullOrWhiteSpace(e.Type))
        {
            return "not a CloudEvent: id, source and type must be non-empty";
        }

        if (e.Data is not { ValueKind: JsonValueKind.Object })
        {
            return $"event {e.Id} ({e.Type}) carries no JSON object in 'data'";
        }

        return null;
    }
}

using System.Text.Json;
using Serverless.Orders.Events;
using Serverless.Platform.Json;
using Serverless.Platform.Messaging;

namespace Serverless.Consumers.Handlers;

/// <summary>Reads the <see cref="OrderSnapshot"/> every order event carries, naming what is wrong with it.</summary>
internal static class OrderSnapshots
{
    /// <summary>
    /// The snapshot of an order event; null for an event that is not about an order (an ordinary
    /// Dapr app's, say). An event of an unknown type that carries an order (<c>orderId</c> in its
    /// JSON data) is refused rather than ignored: it is an order event this version does not know,
    /// and the dead-letter stream keeps it instead of letting it pass unseen.
    /// </summary>
    public static OrderSnapshot? ReadOrderEvent(CloudEvent cloudEvent)
    {
        if (!OrderEventTypes.All.Contains(cloudEvent.Type))
        {
            return CarriesOrder(cloudEvent)
                ? throw new MalformedEventException($"unknown event type '{cloudEvent.Type}' (event {cloudEvent.Id})")
                : null;
        }

        if (cloudEvent.DataKind != CloudEventDataKind.Json || cloudEvent.Data!.Value.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedEventException($"event {cloudEvent.Id} ({cloudEvent.Type}) carries no JSON object in 'data'");
        }

        OrderSnapshot? snapshot;
        try
        {
            snapshot = cloudEvent.Data!.Value.Deserialize<OrderSnapshot>(WireJson.Options);
        }
        catch (JsonException e)
        {
            throw new MalformedEventException($"{cloudEvent.Type} {cloudEvent.Id}: data is not an order snapshot: {e.Message}");
        }

        var problems = snapshot is null ? ["data is null"] : snapshot.Problems().ToList();
        return problems.Count == 0
            ? snapshot!
            : throw new MalformedEventException($"{cloudEvent.Type} {cloudEvent.Id}: {string.Join("; ", problems)}");
    }

    private static bool CarriesOrder(CloudEvent cloudEvent) =>
        cloudEvent.DataKind == CloudEventDataKind.Json
        && cloudEvent.Data!.Value.ValueKind == JsonValueKind.Object
        && cloudEvent.Data.Value.TryGetProperty("orderId", out _);
}

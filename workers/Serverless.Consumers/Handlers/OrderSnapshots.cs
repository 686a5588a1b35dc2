using System.Text.Json;
using Serverless.Orders.Events;
using Serverless.Platform.Json;
using Serverless.Platform.Messaging;

namespace Serverless.Consumers.Handlers;

/// <summary>Reads the <see cref="OrderSnapshot"/> every order event carries, naming what is wrong with it.</summary>
internal static class OrderSnapshots
{
    public static OrderSnapshot Read(CloudEvent cloudEvent)
    {
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
}

using System.Text.Json;
using Serverless.Platform.Json;

namespace Serverless.Platform.State;

/// <summary>
/// Typed values in the store are the JSON <c>DaprClient</c> sends (<see cref="WireJson"/>); anything
/// else in <c>data</c> is bytes some other writer chose, readable only through the bytes API.
/// </summary>
public static class StateValues
{
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, WireJson.Options);

    public static T Deserialize<T>(ReadOnlyMemory<byte> data, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(data.Span, WireJson.Options)!;
        }
        catch (JsonException e)
        {
            throw new UnreadableStateException(
                $"State key '{key}' does not hold a {typeof(T).Name} in JSON ({data.Length} bytes, e.g. raw bytes saved by a Dapr app over gRPC); "
                + $"read it with GetBytesAsync: {e.Message}",
                e);
        }
    }

    public static StateEntry<T>? Deserialize<T>(StateEntry<ReadOnlyMemory<byte>>? entry, string key) =>
        entry is { } found ? new StateEntry<T>(Deserialize<T>(found.Value, key), found.ETag) : null;
}

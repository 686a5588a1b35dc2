using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Serverless.Functions.SelfHost.Edge;

/// <summary>
/// The configured API keys, compared in constant time: the presented key and every configured key
/// are hashed to 32 bytes and compared with <see cref="CryptographicOperations.FixedTimeEquals"/>
/// against all keys, without stopping at a match, so neither the position of the first differing
/// byte, nor the key's length, nor which client matched shows in the response time.
/// </summary>
public sealed class ApiKeyRing(IOptions<SelfHostOptions> options)
{
    private const int MaxPresentedLength = 1024;

    private readonly IReadOnlyList<(string Client, byte[] Hash)> keys = options.Value.ApiKeys
        .Select(k => (k.Key, SHA256.HashData(Encoding.UTF8.GetBytes(k.Value))))
        .ToList();

    /// <summary>The client owning <paramref name="presented"/>, or null.</summary>
    public string? FindClient(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > MaxPresentedLength)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        string? client = null;
        foreach (var key in keys)
        {
            var match = CryptographicOperations.FixedTimeEquals(hash, key.Hash);
            client = match ? key.Client : client;
        }

        return client;
    }
}

using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace Serverless.Manifests.Tests.Checking;

/// <summary>The endpoint and database of a StackExchange.Redis configuration string, read by the apps' own parser.</summary>
public sealed record RedisConnection(string? Endpoint, string Database)
{
    public static RedisConnection Parse(string? configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            return new RedisConnection(null, "0");
        }

        var options = ConfigurationOptions.Parse(configuration);
        var endpoint = options.EndPoints.FirstOrDefault() switch
        {
            // No port written: a $(REDIS_ADDRESS) the kubelet fills from a Secret holding host:port.
            DnsEndPoint { Port: 0 } unresolved => unresolved.Host,
            DnsEndPoint named => $"{named.Host}:{named.Port.ToString(CultureInfo.InvariantCulture)}",
            var other => other?.ToString(),
        };
        return new RedisConnection(endpoint, (options.DefaultDatabase ?? 0).ToString(CultureInfo.InvariantCulture));
    }
}

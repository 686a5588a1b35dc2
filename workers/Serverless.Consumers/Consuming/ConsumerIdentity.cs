using Microsoft.Extensions.Options;
using Serverless.Platform.Hosting;

namespace Serverless.Consumers.Consuming;

/// <summary>
/// This process's consumer name: the pod name (or host name) plus a random suffix. One name per
/// process, never shared between replicas (unlike Dapr's, platform-semantics §7.1), so a reclaim
/// only ever takes entries from a consumer that stopped working on them.
/// </summary>
public sealed class ConsumerIdentity(IOptions<ConsumerOptions> options)
{
    public string Name { get; } = options.Value.ConsumerName is { Length: > 0 } configured
        ? configured
        : ReplicaNames.WithRandomSuffix(Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName);
}

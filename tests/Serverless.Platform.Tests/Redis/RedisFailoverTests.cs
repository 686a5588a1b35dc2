using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Messaging;
using Serverless.Testing;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Redis;

/// <summary>
/// A primary and its replica of the test's own on loopback, failed over the way Sentinel does it (keda/platform/redis):
/// the replica is promoted, the old primary demoted or gone. The platform's clients, configured with both nodes, keep
/// publishing to whichever is primary, and every publish they acknowledged is on the new primary.
/// </summary>
public sealed class RedisFailoverTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum Failover
    {
        /// <summary>The old primary becomes a replica of the new one; the clients name both nodes.</summary>
        Demoted,

        /// <summary>The old primary is gone; the clients name both nodes.</summary>
        Stopped,

        /// <summary>The old primary becomes a replica; the clients name one address that now leads to the new primary (the chart's master Service).</summary>
        DemotedBehindOneName,
    }

    [Theory]
    [InlineData(Failover.Demoted)]
    [InlineData(Failover.Stopped)]
    [InlineData(Failover.DemotedBehindOneName)]
    public async Task Publish_ReplicaPromoted_ClientsFollowAndNoAcknowledgedEventIsLost(Failover failover)
    {
        await using var primary = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var replica = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var service = new ServiceAddress(primary.Port);
        await ReplicateAsync(replica, primary);
        await using var services = PlatformServices.Build(
            new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = failover == Failover.DemotedBehindOneName ? service.Address : $"{primary.Address},{replica.Address}",
                ["Messaging:Source"] = "failover-test",
            },
            (s, c) => s.AddServerlessEventPublishing(c));
        var publisher = services.GetRequiredService<IEventPublisher>();
        var acknowledged = new ConcurrentQueue<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writer = PublishUntilStoppedAsync(publisher, acknowledged, stop.Token);
        await Eventually.TrueAsync(() => acknowledged.Count >= 50, Bound, "publishes are acknowledged before the failover");

        await FailOverAsync(primary, replica, () => service.Target = replica.Port);
        if (failover == Failover.Stopped)
        {
            await primary.StopAsync(Ct);
        }

        var beforeFailover = acknowledged.Count;
        await Eventually.TrueAsync(() => acknowledged.Count >= beforeFailover + 50, Bound, "publishes are acknowledged again after the failover");
        await stop.CancelAsync();
        await writer;

        var onNewPrimary = await EventIdsAsync(replica, "dev-failover");
        Assert.Empty(acknowledged.Except(onNewPrimary));
    }

    /// <summary>Publishes event after event; a failed publish is retried with the same event, as a caller would.</summary>
    private static async Task PublishUntilStoppedAsync(IEventPublisher publisher, ConcurrentQueue<string> acknowledged, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var id = $"e-{n.ToString(CultureInfo.InvariantCulture)}";
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await publisher.PublishAsync(new OutgoingEvent("failover", id, "Tick", new { n }), stop);
                    acknowledged.Enqueue(id);
                    break;
                }
                catch (Exception e) when (e is RedisException or TimeoutException && !stop.IsCancellationRequested)
                {
                    await Task.Delay(50, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private static async Task ReplicateAsync(RedisServer replica, RedisServer primary)
    {
        await using var connection = await AdminAsync(replica);
        await connection.GetDatabase().ExecuteAsync("REPLICAOF", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture));
        await Eventually.TrueAsync(async () => (await ReplicationAsync(connection)).Contains("master_link_status:up", StringComparison.Ordinal), Bound, "the replica is in sync");
    }

    /// <summary>
    /// Sentinel's failover: writes to the old primary stop, the replica catches up and is promoted (and from then on
    /// new connections to the primary's name reach it), the old primary follows it.
    /// </summary>
    private static async Task FailOverAsync(RedisServer primary, RedisServer replica, Action promoted)
    {
        await using var old = await AdminAsync(primary);
        await using var next = await AdminAsync(replica);
        await old.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "10000", "WRITE");
        var offset = Offset(await ReplicationAsync(old), "master_repl_offset");
        await Eventually.TrueAsync(async () => Offset(await ReplicationAsync(next), "slave_repl_offset") >= offset, Bound, "the replica has every write of the primary");
        await next.GetDatabase().ExecuteAsync("REPLICAOF", "NO", "ONE");
        promoted();
        await old.GetDatabase().ExecuteAsync("REPLICAOF", "127.0.0.1", replica.Port.ToString(CultureInfo.InvariantCulture));
        await old.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
    }

    private static Task<ConnectionMultiplexer> AdminAsync(RedisServer server) =>
        ConnectionMultiplexer.ConnectAsync($"{server.Address},allowAdmin=true");

    private static async Task<string> ReplicationAsync(ConnectionMultiplexer connection) =>
        (await connection.GetDatabase().ExecuteAsync("INFO", "replication")).ToString();

    private static long Offset(string info, string field) =>
        info.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l[(field.Length + 1)..], CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).First();

    private static async Task<HashSet<string>> EventIdsAsync(RedisServer server, string stream)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.Address);
        var entries = await connection.GetDatabase().StreamRangeAsync(stream);
        return [.. entries.Select(e => JsonDocument.Parse(e[RedisStreamPublisher.DataField].ToString()).RootElement.GetProperty("id").GetString()!)];
    }

    /// <summary>
    /// A name in front of the primary, as a Kubernetes Service is: each new connection goes to <see cref="Target"/>,
    /// connections made before a change stay where they are.
    /// </summary>
    private sealed class ServiceAddress : IAsyncDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stopping = new();
        private readonly Task accepting;

        public ServiceAddress(int target)
        {
            Target = target;
            listener.Start();
            accepting = AcceptAsync();
        }

        public int Target { get; set; }

        public string Address => $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}";

        public async ValueTask DisposeAsync()
        {
            await stopping.CancelAsync();
            listener.Stop();
            await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
            stopping.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!stopping.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stopping.Token);
                _ = ForwardAsync(client, Target);
            }
        }

        private async Task ForwardAsync(TcpClient client, int port)
        {
            using (client)
            using (var server = new TcpClient())
            {
                try
                {
                    await server.ConnectAsync(IPAddress.Loopback, port, stopping.Token);
                    await using var toClient = client.GetStream();
                    await using var toServer = server.GetStream();
                    await Task.WhenAny(toClient.CopyToAsync(toServer, stopping.Token), toServer.CopyToAsync(toClient, stopping.Token));
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    // Either side closed: so does the forwarded connection.
                }
            }
        }
    }
}

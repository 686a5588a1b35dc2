using System.Collections.Concurrent;
using System.Globalization;
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Publish_ReplicaPromoted_ClientsFollowAndNoAcknowledgedEventIsLost(bool stopOldPrimary)
    {
        await using var primary = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var replica = await RedisServer.StartAsync(cancellationToken: Ct);
        await ReplicateAsync(replica, primary);
        await using var services = PlatformServices.Build(
            new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = $"{primary.Address},{replica.Address}",
                ["Messaging:Source"] = "failover-test",
            },
            (s, c) => s.AddServerlessEventPublishing(c));
        var publisher = services.GetRequiredService<IEventPublisher>();
        var acknowledged = new ConcurrentQueue<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writer = PublishUntilStoppedAsync(publisher, acknowledged, stop.Token);
        await Eventually.TrueAsync(() => acknowledged.Count >= 50, Bound, "publishes are acknowledged before the failover");

        await FailOverAsync(primary, replica, stopOldPrimary);
        var beforeFailover = acknowledged.Count;
        await Eventually.TrueAsync(() => acknowledged.Count >= beforeFailover + 50 || writer.IsCompleted, Bound, "publishes are acknowledged again after the failover");
        await stop.CancelAsync();
        await writer;

        var onNewPrimary = await EventIdsAsync(replica, "dev-failover");
        Assert.Empty(acknowledged.Except(onNewPrimary));
        Assert.True(acknowledged.Count >= beforeFailover + 50, $"only {acknowledged.Count - beforeFailover} publishes acknowledged after the failover");
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
    /// Sentinel's failover: writes to the old primary stop, the replica catches up and is promoted, the old primary
    /// follows it (or is gone).
    /// </summary>
    private static async Task FailOverAsync(RedisServer primary, RedisServer replica, bool stopOldPrimary)
    {
        await using (var old = await AdminAsync(primary))
        await using (var promoted = await AdminAsync(replica))
        {
            await old.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "10000", "WRITE");
            var offset = Offset(await ReplicationAsync(old), "master_repl_offset");
            await Eventually.TrueAsync(async () => Offset(await ReplicationAsync(promoted), "slave_repl_offset") >= offset, Bound, "the replica has every write of the primary");
            await promoted.GetDatabase().ExecuteAsync("REPLICAOF", "NO", "ONE");
            await old.GetDatabase().ExecuteAsync("REPLICAOF", "127.0.0.1", replica.Port.ToString(CultureInfo.InvariantCulture));
            await old.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
        }

        if (stopOldPrimary)
        {
            await primary.StopAsync(Ct);
        }
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
}

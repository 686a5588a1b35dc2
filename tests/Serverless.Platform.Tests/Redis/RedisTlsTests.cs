using Microsoft.Extensions.DependencyInjection;
using Serverless.Platform.Messaging;
using Serverless.Testing;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Redis;

/// <summary>Redis:Tls (the environment's Redis__Tls) makes every connection speak TLS, whatever the configuration string says.</summary>
public sealed class RedisTlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_TlsOnAgainstAPlaintextRedis_NeverSendsInTheClear()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var plain = Build(server.Address, tls: false);
        await using var encrypted = Build(server.Address, tls: true);

        await plain.GetRequiredService<IEventPublisher>().PublishAsync(new OutgoingEvent("tls", "e-1", "Tick", new { n = 1 }), Ct);
        var refused = await Assert.ThrowsAnyAsync<RedisException>(
            () => encrypted.GetRequiredService<IEventPublisher>().PublishAsync(new OutgoingEvent("tls", "e-2", "Tick", new { n = 2 }), Ct));

        Assert.IsType<RedisConnectionException>(refused);
        await using var check = await ConnectionMultiplexer.ConnectAsync(server.Address);
        Assert.Equal(1, await check.GetDatabase().StreamLengthAsync("dev-tls"));
    }

    private static ServiceProvider Build(string address, bool tls) =>
        PlatformServices.Build(
            new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = address,
                ["Redis:Tls"] = tls ? "true" : "false",
                ["Redis:ConnectTimeout"] = "00:00:01",
                ["Messaging:Source"] = "tls-test",
            },
            (s, c) => s.AddServerlessEventPublishing(c));
}

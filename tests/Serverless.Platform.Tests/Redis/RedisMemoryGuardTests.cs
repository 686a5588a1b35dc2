using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serverless.Platform.Messaging;
using Serverless.Platform.Redis;
using Serverless.Testing;
using StackExchange.Redis;

namespace Serverless.Platform.Tests.Redis;

/// <summary>The guard against a Redis of the test's own whose maxmemory the test sets.</summary>
public sealed class RedisMemoryGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Parse_InfoMemory_UsesMaxMemoryOrMachineMemory()
    {
        var limited = RedisMemoryGuard.Parse("# Memory\r\nused_memory:850\r\ntotal_system_memory:100000\r\nmaxmemory:1000\r\n");
        var unlimited = RedisMemoryGuard.Parse("used_memory:500\r\ntotal_system_memory:1000\r\nmaxmemory:0\r\n");

        Assert.Equal((850L, 1000L, true, 0.85), (limited.UsedBytes, limited.LimitBytes, limited.LimitIsMaxMemory, limited.Utilization));
        Assert.Equal((1000L, false), (unlimited.LimitBytes, unlimited.LimitIsMaxMemory));
    }

    [Fact]
    public async Task AboveThreshold_ReadinessDegradedAndPublisherHoldsBack()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var services = Build(server.Address);
        var guard = services.GetRequiredService<RedisMemoryGuard>();
        var used = (await guard.SampleAsync()).UsedBytes;
        await SetMaxMemoryAsync(server, used + (used / 20));

        await guard.SampleAsync();
        var health = await guard.CheckHealthAsync(new HealthCheckContext(), Ct);
        var publish = () => services.GetRequiredService<IEventPublisher>().PublishAsync(new OutgoingEvent("guarded", "e-1", "Tick", new { n = 1 }), Ct);
        var error = await Assert.ThrowsAsync<RedisBackpressureException>(publish);

        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("above the 85 % threshold", health.Description, StringComparison.Ordinal);
        Assert.Contains("Redis:MemoryThreshold", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await StreamLengthAsync(server, "dev-guarded"));

        await SetMaxMemoryAsync(server, 0);
        await guard.SampleAsync();
        await publish();
        Assert.Equal(1, await StreamLengthAsync(server, "dev-guarded"));
    }

    [Fact]
    public async Task RedisOutOfMemory_ReportedAsSuchThenHeldBack()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var services = Build(server.Address);
        var publisher = services.GetRequiredService<IEventPublisher>();
        // The guard has not sampled yet, so the write reaches Redis, which is already over maxmemory.
        await SetMaxMemoryAsync(server, 1024 * 1024);

        var oom = await Assert.ThrowsAsync<RedisOutOfMemoryException>(
            () => publisher.PublishAsync(new OutgoingEvent("full", "e-1", "Tick", new { n = 1 }), Ct));
        Assert.Contains("out of memory", oom.Message, StringComparison.Ordinal);
        Assert.Contains("OOM", oom.InnerException!.Message, StringComparison.Ordinal);

        // The next write does not hammer Redis: it waits for memory and gives up with backpressure.
        await Assert.ThrowsAsync<RedisBackpressureException>(
            () => publisher.PublishAsync(new OutgoingEvent("full", "e-2", "Tick", new { n = 2 }), Ct));
    }

    private static ServiceProvider Build(string address) =>
        PlatformServices.Build(
            new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = address,
                ["Redis:MaxBackpressureWait"] = "00:00:00.500",
                ["Messaging:Source"] = "guard-test",
            },
            (s, c) => s.AddServerlessEventPublishing(c));

    private static async Task SetMaxMemoryAsync(RedisServer server, long bytes)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{server.Address},allowAdmin=true");
        await connection.GetDatabase().ExecuteAsync("CONFIG", "SET", "maxmemory", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<long> StreamLengthAsync(RedisServer server, string stream)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.Address);
        return await connection.GetDatabase().StreamLengthAsync(stream);
    }
}

using System.Net;
using Serverless.Functions.Tests.Doubles;
using Serverless.Testing;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Hosting;

/// <summary>Liveness never depends on anything; readiness checks the Temporal client and Redis.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Live_WhateverIsDown_Returns200()
    {
        await using var host = await FunctionsHost.StartAsync();

        using var response = await host.Anonymous.GetAsync("health/live", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_RealRedisAndNoTemporal_Returns503NamingTemporal()
    {
        var redis = Engines.RequireRedis();
        await using var host = await FunctionsHost.StartAsync(settings: new Dictionary<string, string?> { ["Redis:Configuration"] = redis });

        // The Redis check reads the memory guard's samples: wait for the first one.
        System.Text.Json.JsonElement checks = default;
        await Eventually.TrueAsync(
            async () =>
            {
                using var response = await host.Anonymous.GetAsync("health/ready", Ct);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                checks = (await JsonAsync(response)).GetProperty("checks");
                return checks.GetProperty("redis").GetProperty("status").GetString() == "Healthy";
            },
            TimeSpan.FromSeconds(20),
            "the Redis check reports the real Redis healthy");

        Assert.Equal("Unhealthy", checks.GetProperty("temporal").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_RedisUnreachable_ReportsRedisDegradedNotUnhealthy()
    {
        await using var host = await FunctionsHost.StartAsync(new RecordingTemporal());

        using var response = await host.Anonymous.GetAsync("health/ready", Ct);

        var checks = (await JsonAsync(response)).GetProperty("checks");
        Assert.Equal("Degraded", checks.GetProperty("redis").GetProperty("status").GetString());
        Assert.StartsWith("Redis unreachable", checks.GetProperty("redis").GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}

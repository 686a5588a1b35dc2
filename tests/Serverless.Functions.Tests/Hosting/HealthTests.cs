using System.Net;
using System.Text.Json;
using Serverless.Functions.Tests.Doubles;
using Serverless.Testing;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Hosting;

/// <summary>
/// Liveness never depends on anything; readiness checks the Temporal client and Redis. The public
/// port answers the status only; each check's details (addresses, errors) and the Prometheus scrape
/// are served on the management port alone.
/// </summary>
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
    public async Task Ready_RealRedisAndNoTemporal_Returns503NamingTemporalOnTheManagementPort()
    {
        var redis = Engines.RequireRedis();
        await using var host = await FunctionsHost.StartAsync(settings: new Dictionary<string, string?> { ["Redis:Configuration"] = redis });

        // The Redis check reads the memory guard's samples: wait for the first one.
        JsonElement checks = default;
        await Eventually.TrueAsync(
            async () =>
            {
                using var response = await host.Management.GetAsync("health/ready", Ct);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                checks = (await JsonAsync(response)).GetProperty("checks");
                return checks.GetProperty("redis").GetProperty("status").GetString() == "Healthy";
            },
            TimeSpan.FromSeconds(20),
            "the Redis check reports the real Redis healthy");

        Assert.Equal("Unhealthy", checks.GetProperty("temporal").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_RedisUnreachable_ReportsRedisDegradedNotUnhealthyOnTheManagementPort()
    {
        await using var host = await FunctionsHost.StartAsync(new RecordingTemporal());

        // Until the first connect attempt has failed the check says the memory is not sampled yet.
        JsonElement checks = default;
        await Eventually.TrueAsync(
            async () =>
            {
                using var response = await host.Management.GetAsync("health/ready", Ct);
                checks = (await JsonAsync(response)).GetProperty("checks");
                return checks.GetProperty("redis").GetProperty("description").GetString()?.StartsWith("Redis unreachable", StringComparison.Ordinal) == true;
            },
            TimeSpan.FromSeconds(20),
            "the Redis check has seen the connection fail");

        Assert.Equal("Degraded", checks.GetProperty("redis").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_PublicPort_AnswersTheStatusOnlyWithoutAddressesOrErrors()
    {
        await using var host = await FunctionsHost.StartAsync(settings: new Dictionary<string, string?> { ["Temporal:Address"] = "temporal.internal.example:7233" });

        using var response = await host.Anonymous.GetAsync("health/ready", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"status":"Unhealthy"}""", text);
    }

    [Fact]
    public async Task Metrics_ManagementPort_ServesThePrometheusScrape()
    {
        await using var host = await FunctionsHost.StartAsync(new RecordingTemporal());
        using (await host.Anonymous.GetAsync("health/live", Ct))
        {
        }

        string scrape = string.Empty;
        await Eventually.TrueAsync(
            async () =>
            {
                using var response = await host.Management.GetAsync("metrics", Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                scrape = await response.Content.ReadAsStringAsync(Ct);
                return scrape.Contains("http_server_request_duration_seconds", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(20),
            "the scrape shows the public port's request metrics");
    }

    public static TheoryData<string> MetricsPaths => new()
    {
        "/metrics",
        "/api/orders/../../metrics",
        "/api/orders/%2e%2e/%2E%2E/metrics",
        "/api/./metrics/.",
        "//metrics",
        "/METRICS",
        "/metrics%2F",
    };

    [Theory]
    [MemberData(nameof(MetricsPaths))]
    public async Task Metrics_AnyPathOnThePublicPort_IsNotServed(string path)
    {
        await using var host = await FunctionsHost.StartAsync(new RecordingTemporal());
        using (await host.Management.GetAsync("metrics", Ct))
        {
        }

        // Written as raw bytes: an HTTP client would resolve the dot segments itself. The Host header
        // names the management port: what is served depends on the listener, not on the header.
        var response = RawResponse.Parse(await RawHttp.SendAsync(host.Address,
            $"GET {path} HTTP/1.1\r\nHost: {host.ManagementAddress.Authority}\r\nConnection: close\r\n\r\n"));

        Assert.True(response.Status is 400 or 404, $"{path}: got {response.Status}: {response.Body}");
        Assert.DoesNotContain("# TYPE", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagementPort_ServesNoFunctions()
    {
        await using var host = await FunctionsHost.StartAsync(new RecordingTemporal());
        using var client = new HttpClient { BaseAddress = host.ManagementAddress };
        client.DefaultRequestHeaders.Add(Serverless.Functions.SelfHost.Edge.ApiKeyGate.HeaderName, host.ApiKey);

        using var placed = await client.SendAsync(PlaceOrder(NewKey()), Ct);
        using var openApi = await client.GetAsync("api/openapi.json", Ct);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (placed.StatusCode, openApi.StatusCode));
        Assert.Equal(0, host.Temporal.Calls);
    }
}

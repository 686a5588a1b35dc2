using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Serverless.Local.Processes;
using Serverless.Platform.Redis;
using Serverless.Testing;
using Serverless.Testing.Processes;
using StackExchange.Redis;

namespace Serverless.Workers.Tests.Hosting;

/// <summary>The worker executable as Kubernetes runs it: a real process, probed over HTTP, stopped by signal.</summary>
public sealed class WorkerHostProcessTests
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_TemporalUnreachable_IsLiveButNotReadyAndDrainsOnSigterm()
    {
        await using var worker = StartWorker(new Dictionary<string, string?>());
        var address = await worker.ListeningAsync(StartBound, Ct);
        using var http = new HttpClient { BaseAddress = address };

        var live = await http.GetAsync(new Uri("health/live", UriKind.Relative), Ct);
        var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative), Ct);
        var readyBody = await ready.Content.ReadAsStringAsync(Ct);
        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("not polling yet: dev-inventory, dev-orders, dev-payments", readyBody, StringComparison.Ordinal);
        Assert.Contains("Temporal unreachable", readyBody, StringComparison.Ordinal);
        Assert.Contains("service_name=\\\"serverless-workers\\\"".Replace("\\\"", "\"", StringComparison.Ordinal), metrics, StringComparison.Ordinal);
        // Nobody listens on its Redis port either: the lease publisher warns and the worker runs on.
        await Eventually.TrueAsync(() => worker.Output.Contains("In-flight lease update failed", StringComparison.Ordinal), StartBound, "the publisher reports Redis down");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("health/live", UriKind.Relative), Ct)).StatusCode);

        worker.Terminate();
        // The budget is 5 s; the process must be gone well before the pod's grace period would SIGKILL it.
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(15), Ct));
    }

    [Fact]
    public async Task Start_InvalidConfiguration_ExitsWithEveryProblemBeforeListening()
    {
        await using var worker = StartWorker(new Dictionary<string, string?>
        {
            ["Workers__Poll"] = "payments,nosuchqueue",
            ["Temporal__Namespace"] = "prod",
            ["Workers__Queues__payments__MaxConcurrentActivities"] = "-1",
            ["Workers__InFlight__Ttl"] = "00:00:03",
        });

        var exitCode = await worker.WaitForExitAsync(StartBound, Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("invalid configuration, refusing to start", worker.Output, StringComparison.Ordinal);
        Assert.Contains("Temporal:Namespace is 'prod', which belongs to environment 'prod'", worker.Output, StringComparison.Ordinal);
        Assert.Contains("unknown task queue 'nosuchqueue'", worker.Output, StringComparison.Ordinal);
        Assert.Contains("Workers:Queues:payments:MaxConcurrentActivities must be between 1 and 10000; got -1", worker.Output, StringComparison.Ordinal);
        Assert.Contains("Workers:InFlight:Ttl (00:00:03) must exceed twice Workers:InFlight:RenewInterval (00:00:02)", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InContainer_WritesJsonLogLines()
    {
        await using var worker = StartWorker(new Dictionary<string, string?> { ["DOTNET_RUNNING_IN_CONTAINER"] = "true" });
        await worker.ListeningAsync(StartBound, Ct);

        var line = worker.Output.Split('\n').First(l => l.Contains("Now listening", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line);
        Assert.Equal("Microsoft.Hosting.Lifetime", json.RootElement.GetProperty("Category").GetString());
        Assert.True(json.RootElement.TryGetProperty("Timestamp", out _));
    }

    [Fact]
    public async Task Sigterm_TemporalUnreachable_LeaseRenewedUntilExitThenReleased()
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        var leases = new InFlightLeases(connection.GetDatabase());
        await using var worker = StartWorker(new Dictionary<string, string?>
        {
            ["Workers__Poll"] = "payments",
            ["Redis__Configuration"] = redis.Address,
            ["Workers__InFlight__RenewInterval"] = "00:00:01",
            // Far beyond the test: only a release can remove the lease.
            ["Workers__InFlight__Ttl"] = "00:05:00",
        });

        await Eventually.TrueAsync(async () => (await leases.ReadAsync("dev-payments")).Workers == 1, StartBound, $"the worker publishes its lease:\n{worker.Output}");
        Assert.Equal(new TaskQueueSlots(1, 0, 0, 0, 20), await leases.ReadAsync("dev-payments"));
        worker.Terminate();

        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(15), Ct));
        Assert.Equal(TaskQueueSlots.None, await leases.ReadAsync("dev-payments"));
        Assert.Contains("in-flight leases of", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigkill_TemporalUnreachable_LeaseExpiresOnItsOwn()
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        var leases = new InFlightLeases(connection.GetDatabase());
        await using var worker = StartWorker(new Dictionary<string, string?>
        {
            ["Workers__Poll"] = "payments,inventory",
            ["Redis__Configuration"] = redis.Address,
            ["Workers__InFlight__RenewInterval"] = "00:00:01",
            ["Workers__InFlight__Ttl"] = "00:00:03",
        });
        await Eventually.TrueAsync(
            async () => (await leases.ReadAsync("dev-payments")).Workers == 1 && (await leases.ReadAsync("dev-inventory")).Workers == 1,
            StartBound,
            $"the worker publishes a lease per task queue:\n{worker.Output}");

        worker.Kill();
        await worker.WaitForExitAsync(StartBound, Ct);

        // Nothing released it (no shutdown ran): Redis's clock and the TTL remove it.
        await Eventually.TrueAsync(
            async () => (await leases.ReadAsync("dev-payments")).Workers == 0 && (await leases.ReadAsync("dev-inventory")).Workers == 0,
            TimeSpan.FromSeconds(30),
            "the killed worker's leases expire");
        Assert.DoesNotContain("in-flight leases of", worker.Output, StringComparison.Ordinal);
    }

    /// <summary>A worker pointed at a Temporal port nobody listens on, with a short shutdown budget.</summary>
    private static ManagedProcess StartWorker(Dictionary<string, string?> overrides)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Serverless__Environment"] = "dev",
            ["Temporal__Address"] = $"127.0.0.1:{UnusedPort()}",
            ["Redis__Configuration"] = $"127.0.0.1:{UnusedPort()},connectTimeout=500",
            ["Shutdown__Budget"] = "00:00:05",
            ["Shutdown__CleanupReserve"] = "00:00:02",
        };
        foreach (var (key, value) in overrides)
        {
            environment[key] = value;
        }

        return ManagedProcess.StartDotnet("worker", RepoPaths.Deployables.Workers, environment);
    }

    private static int UnusedPort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}

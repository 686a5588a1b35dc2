using System.Net;
using System.Net.Sockets;
using Serverless.Functions.Orders;
using Serverless.Functions.Tests.Doubles;
using Microsoft.Extensions.Logging;
using Serverless.Orders.Workflows;
using Serverless.Testing;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Orders;

/// <summary>
/// Temporal unreachable: the functions answer <c>503</c> with <c>Retry-After</c> and accept nothing
/// (the documented choice: no order is ever answered <c>202</c> unless Temporal has durably started
/// its workflow), and a retry with the same key after recovery places the order exactly once.
/// </summary>
public sealed class TemporalDownTests
{
    [Fact]
    public async Task AllEndpoints_RealClientAndNoServer_Answer503WithRetryAfter()
    {
        await using var host = await FunctionsHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Temporal:Address"] = $"127.0.0.1:{ClosedPort()}",
            ["Functions:RetryAfter"] = "00:00:07",
        });
        var orderId = OrderStarter.OrderIdFor(NewKey());

        using var placed = await host.Client.SendAsync(PlaceOrder(NewKey()), Ct);
        using var read = await host.Client.GetAsync($"api/orders/{orderId}", Ct);
        using var cancelled = await host.Client.SendAsync(Cancel(orderId), Ct);

        foreach (var response in new[] { placed, read, cancelled })
        {
            var problem = await ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("urn:serverless:problem:temporarily-unavailable", problem.GetProperty("type").GetString());
            Assert.Equal("7", Header(response, "Retry-After"));
        }

        Assert.Contains("Idempotency-Key", (await JsonAsync(placed)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaceOrder_DuringAnOutageThenAfterRecovery_StartsNothingThenExactlyOnce()
    {
        var temporal = new RecordingTemporal { Outage = RecordingTemporal.Unavailable };
        await using var host = await FunctionsHost.StartAsync(temporal);
        var key = NewKey();

        using var duringOutage = await host.Client.SendAsync(PlaceOrder(key), Ct);
        using var retriedDuringOutage = await host.Client.SendAsync(PlaceOrder(key), Ct);
        var startsDuringOutage = temporal.Starts.Count;
        temporal.Outage = null;
        using var afterRecovery = await host.Client.SendAsync(PlaceOrder(key), Ct);
        using var retriedAfterRecovery = await host.Client.SendAsync(PlaceOrder(key), Ct);

        await ProblemAsync(duringOutage, HttpStatusCode.ServiceUnavailable);
        await ProblemAsync(retriedDuringOutage, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(0, startsDuringOutage);
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (afterRecovery.StatusCode, retriedAfterRecovery.StatusCode));
        Assert.Equal(OrderStarter.OrderIdFor(key), Assert.Single(temporal.Starts).WorkflowId);
    }

    [Fact]
    public async Task PlaceOrder_WithoutKeyDuringAnOutage_Returns503WithTheGeneratedKeyAndItsRetryPlacesOnce()
    {
        var temporal = new RecordingTemporal { Outage = () => null };
        await using var host = await FunctionsHost.StartAsync(temporal, settings: new Dictionary<string, string?>
        {
            ["Functions:TemporalCallTimeout"] = "00:00:00.3",
        });

        using var timedOut = await host.Client.SendAsync(PlaceOrder(idempotencyKey: null), Ct);
        var problem = await ProblemAsync(timedOut, HttpStatusCode.ServiceUnavailable);
        var key = Header(timedOut, IdempotencyKeyHeader.Name);
        temporal.Outage = null;
        using var retried = await host.Client.SendAsync(PlaceOrder(key), Ct);
        using var retriedAgain = await host.Client.SendAsync(PlaceOrder(key), Ct);

        Assert.True(Guid.TryParse(key, out _), $"the generated key '{key}' is returned");
        Assert.Equal(key, problem.GetProperty(IdempotencyKeyHeader.ProblemExtension).GetString());
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (retried.StatusCode, retriedAgain.StatusCode));
        Assert.Equal(OrderStarter.OrderIdFor(key), Assert.Single(temporal.Starts).WorkflowId);
    }

    [Fact]
    public async Task PlaceOrder_TemporalNotAnswering_Answers503AfterTheCallTimeout()
    {
        var temporal = new RecordingTemporal { Outage = () => null };
        await using var host = await FunctionsHost.StartAsync(temporal, settings: new Dictionary<string, string?>
        {
            ["Functions:TemporalCallTimeout"] = "00:00:00.3",
        });

        using var response = await host.Client.SendAsync(PlaceOrder(NewKey()), Ct);

        await ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Empty(temporal.Starts);
    }

    [Fact]
    public async Task PlaceOrder_TemporalAcceptsConnectionsButNeverAnswers_EveryRequestGets503WithinTheCallLimit()
    {
        using var silent = SilentServer.Start();
        var limit = TimeSpan.FromSeconds(1);
        await using var host = await FunctionsHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Temporal:Address"] = silent.Address,
            ["Functions:TemporalCallTimeout"] = "00:00:01",
        });
        // The bound is behaviour, not speed: the client gives up (and the test fails) well after the limit.
        using var client = host.NewClient(host.ApiKey, timeout: limit + TimeSpan.FromSeconds(3));

        // Two rounds of concurrent requests: the first waits on the lazy connect, the second arrives
        // while that connect is still hanging.
        for (var round = 0; round < 2; round++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.SendAsync(PlaceOrder(NewKey()), Ct)));

            foreach (var response in responses)
            {
                using (response)
                {
                    var problem = await ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
                    Assert.Equal("urn:serverless:problem:temporarily-unavailable", problem.GetProperty("type").GetString());
                    Assert.Equal("5", Header(response, "Retry-After"));
                }
            }
        }

        Assert.True(silent.Connections > 0, "the functions reached the silent server");
    }

    [Fact]
    public async Task PlaceOrder_ClientGivesUpWhileTemporalIsSilent_IsNotLoggedAsAnError()
    {
        using var silent = SilentServer.Start();
        var log = new RecordedLog();
        await using var host = await FunctionsHost.StartAsync(log: log, settings: new Dictionary<string, string?>
        {
            ["Temporal:Address"] = silent.Address,
            ["Functions:TemporalCallTimeout"] = "00:00:30",
            ["Logging:LogLevel:Microsoft.AspNetCore.Diagnostics"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
            // Redis (unreachable here) logs its reconnects as errors; they are not about this request.
            ["Logging:LogLevel:StackExchange.Redis"] = "None",
        });
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var sent = host.Client.SendAsync(PlaceOrder(NewKey()), giveUp.Token);
        await silent.FirstConnection.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sent);
        await Eventually.TrueAsync(
            () => log.Entries.Any(e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && e.EventId.Id == RequestFinishedEvent),
            TimeSpan.FromSeconds(10),
            "the server finished the request the client gave up on, without waiting out the call limit");
        Assert.Empty(log.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task CancelOrder_OutageBetweenPlacingAndCancelling_Answers503AndSignalsNothing()
    {
        var temporal = new RecordingTemporal();
        await using var host = await FunctionsHost.StartAsync(temporal);
        using var placed = await host.Client.SendAsync(PlaceOrder(NewKey()), Ct);
        var orderId = (await JsonAsync(placed)).GetProperty("orderId").GetString()!;
        temporal.Outage = RecordingTemporal.Unavailable;

        using var cancelled = await host.Client.SendAsync(Cancel(orderId), Ct);

        await ProblemAsync(cancelled, HttpStatusCode.ServiceUnavailable);
        Assert.Empty(temporal.Signals);
    }

    /// <summary>ASP.NET Core hosting's "Request finished" log event.</summary>
    private const int RequestFinishedEvent = 2;

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

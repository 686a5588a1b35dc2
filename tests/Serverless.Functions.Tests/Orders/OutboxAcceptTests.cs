using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Serverless.Functions.Tests.Doubles;
using Serverless.Orders.Outbox;
using Serverless.Orders.Workflows;
using Serverless.Testing;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Orders;

/// <summary>
/// Durable accept (OrderAccept:Mode Outbox, the default) over a real PostgreSQL: while Temporal is
/// unreachable valid orders are answered <c>202</c> and wait in the outbox; the key's first body
/// decides, wherever its first copy is; <c>503</c> only when PostgreSQL is down too. Temporal is the
/// <see cref="RecordingTemporal"/> behind the real client.
/// </summary>
public sealed class OutboxAcceptTests
{
    private const string OtherOrder =
        """{"customerId":"cust-1","lines":[{"sku":"SKU-1","quantity":3,"unitPrice":12.5}],"currency":"EUR","paymentToken":"tok_visa"}""";

    [Fact]
    public async Task PlaceOrder_TemporalUnavailable_Answers202QueuedAndWritesTheOutbox()
    {
        await using var bed = await OutboxHost.StartAsync(new RecordingTemporal { Outage = RecordingTemporal.Unavailable });
        var key = NewKey();

        using var response = await bed.Host.Client.SendAsync(PlaceOrder(key), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await JsonAsync(response);
        var orderId = OrderStarter.OrderIdFor(key);
        Assert.Equal((orderId, "Queued", $"/api/orders/{orderId}"), (body.GetProperty("orderId").GetString(), body.GetProperty("status").GetString(), response.Headers.Location?.OriginalString));
        Assert.Equal(OutboxState.Queued, (await bed.Outbox.FindAsync(orderId, Ct))?.State);
        Assert.Empty(bed.Host.Temporal.Starts);
    }

    [Fact]
    public async Task PlaceOrder_ReplayedDuringTheOutage_AnswersTheSameOrderOnce()
    {
        await using var bed = await OutboxHost.StartAsync(new RecordingTemporal { Outage = RecordingTemporal.Unavailable });
        var key = NewKey();

        using var first = await bed.Host.Client.SendAsync(PlaceOrder(key), Ct);
        using var replay = await bed.Host.Client.SendAsync(PlaceOrder(key), Ct);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (first.StatusCode, replay.StatusCode));
        Assert.Equal((await JsonAsync(first)).GetProperty("orderId").GetString(), (await JsonAsync(replay)).GetProperty("orderId").GetString());
        Assert.Equal("true", Header(replay, "Idempotent-Replayed"));
        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM order_outbox"));
    }

    [Fact]
    public async Task PlaceOrder_SameKeyOtherBodyFirstCopyQueued_Answers422DuringAndAfterTheOutage()
    {
        var temporal = new RecordingTemporal { Outage = RecordingTemporal.Unavailable };
        await using var bed = await OutboxHost.StartAsync(temporal);
        var key = NewKey();

        using var queued = await bed.Host.Client.SendAsync(PlaceOrder(key), Ct);
        using var duringOutage = await bed.Host.Client.SendAsync(PlaceOrder(key, OtherOrder), Ct);
        temporal.Outage = null;
        using var afterRecovery = await bed.Host.Client.SendAsync(PlaceOrder(key, OtherOrder), Ct);

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        foreach (var refused in new[] { duringOutage, afterRecovery })
        {
            var problem = await ProblemAsync(refused, HttpStatusCode.UnprocessableEntity);
            Assert.Equal("urn:serverless:problem:idempotency-key-reused", problem.GetProperty("type").GetString());
        }

        Assert.Empty(temporal.Starts);
    }

    [Fact]
    public async Task PlaceOrder_SameKeyOtherBodyFirstCopyInTemporal_Answers422DuringAnOutage()
    {
        var temporal = new RecordingTemporal();
        await using var bed = await OutboxHost.StartAsync(temporal);
        var key = NewKey();

        using var started = await bed.Host.Client.SendAsync(PlaceOrder(key), Ct);
        temporal.Outage = RecordingTemporal.Unavailable;
        using var otherBody = await bed.Host.Client.SendAsync(PlaceOrder(key, OtherOrder), Ct);
        using var sameBody = await bed.Host.Client.SendAsync(PlaceOrder(key), Ct);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.False((await JsonAsync(started)).TryGetProperty("status", out _), "a started order's answer has no queued status");
        await ProblemAsync(otherBody, HttpStatusCode.UnprocessableEntity);
        Assert.Equal((HttpStatusCode.Accepted, "true"), (sameBody.StatusCode, Header(sameBody, "Idempotent-Replayed")));
        Assert.Equal(OutboxState.Started, (await bed.Outbox.FindAsync(OrderStarter.OrderIdFor(key), Ct))?.State);
        Assert.Single(temporal.Starts);
    }

    [Fact]
    public async Task PlaceOrder_TemporalAndPostgresUnavailable_Answers503WithRetryAfterAndAcceptsNothing()
    {
        var temporal = new RecordingTemporal { Outage = RecordingTemporal.Unavailable };
        await using var host = await FunctionsHost.StartAsync(temporal, settings: new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=serverless;Database=serverless",
            ["Functions:RetryAfter"] = "00:00:09",
        });
        var key = NewKey();

        using var response = await host.Client.SendAsync(PlaceOrder(key), Ct);
        temporal.Outage = null;
        using var read = await host.Client.GetAsync($"api/orders/{OrderStarter.OrderIdFor(key)}", Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("urn:serverless:problem:temporarily-unavailable", problem.GetProperty("type").GetString());
        Assert.Equal("9", Header(response, "Retry-After"));
        Assert.Empty(temporal.Starts);
        await ProblemAsync(read, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PlaceOrder_RejectMode_Answers503AndWritesNoRow()
    {
        await using var bed = await OutboxHost.StartAsync(
            new RecordingTemporal { Outage = RecordingTemporal.Unavailable }, new Dictionary<string, string?> { ["OrderAccept:Mode"] = "Reject" });

        using var response = await bed.Host.Client.SendAsync(PlaceOrder(NewKey()), Ct);

        await ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'order_outbox'"));
    }

    [Fact]
    public async Task PlaceOrder_TemporalAvailable_StartsAtOnceAndMarksTheRowStarted()
    {
        await using var bed = await OutboxHost.StartAsync(new RecordingTemporal());
        var key = NewKey();

        using var response = await bed.Host.Client.SendAsync(PlaceOrder(key), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(OrderStarter.OrderIdFor(key), Assert.Single(bed.Host.Temporal.Starts).WorkflowId);
        Assert.Equal(OutboxState.Started, (await bed.Outbox.FindAsync(OrderStarter.OrderIdFor(key), Ct))?.State);
    }

    [Fact]
    public async Task GetOrder_QueuedOrder_ShowsQueuedFromTheOutboxWhetherTemporalIsDownOrUp()
    {
        var temporal = new RecordingTemporal { Outage = RecordingTemporal.Unavailable };
        await using var bed = await OutboxHost.StartAsync(temporal);
        using var placed = await bed.Host.Client.SendAsync(PlaceOrder(NewKey()), Ct);
        var status = placed.Headers.Location!.OriginalString.TrimStart('/');

        using var duringOutage = await bed.Host.Client.GetAsync(status, Ct);
        temporal.Outage = null;
        using var beforeTheRelay = await bed.Host.Client.GetAsync(status, Ct);

        foreach (var response in new[] { duringOutage, beforeTheRelay })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var view = await JsonAsync(response);
            Assert.Equal(("Queued", "Outbox", true), (view.GetProperty("status").GetString(), view.GetProperty("source").GetString(), view.GetProperty("canCancel").GetBoolean()));
        }
    }

    [Fact]
    public async Task CancelOrder_QueuedOrder_CancelsItInTheOutboxWithoutSignalling()
    {
        var temporal = new RecordingTemporal { Outage = RecordingTemporal.Unavailable };
        await using var bed = await OutboxHost.StartAsync(temporal);
        using var placed = await bed.Host.Client.SendAsync(PlaceOrder(NewKey()), Ct);
        var orderId = (await JsonAsync(placed)).GetProperty("orderId").GetString()!;

        using var cancelled = await bed.Host.Client.SendAsync(Cancel(orderId, """{"reason":"changed my mind"}"""), Ct);
        using var again = await bed.Host.Client.SendAsync(Cancel(orderId), Ct);
        using var read = await bed.Host.Client.GetAsync($"api/orders/{orderId}", Ct);

        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        await ProblemAsync(again, HttpStatusCode.Conflict);
        var view = await JsonAsync(read);
        Assert.Equal(("Cancelled", "changed my mind"), (view.GetProperty("status").GetString(), view.GetProperty("failureReason").GetString()));
        var entry = await bed.Outbox.FindAsync(orderId, Ct);
        Assert.Equal(OutboxState.Cancelled, entry?.State);
        Assert.Empty(temporal.Signals);
    }

    [Fact]
    public async Task CancelOrder_StartedOrder_SignalsTheWorkflow()
    {
        await using var bed = await OutboxHost.StartAsync(new RecordingTemporal());
        using var placed = await bed.Host.Client.SendAsync(PlaceOrder(NewKey()), Ct);
        var orderId = (await JsonAsync(placed)).GetProperty("orderId").GetString()!;

        using var cancelled = await bed.Host.Client.SendAsync(Cancel(orderId), Ct);

        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        Assert.Equal(orderId, Assert.Single(bed.Host.Temporal.Signals).WorkflowId);
    }

    public static TheoryData<string> MalformedCases => MalformedRequestTests.Cases;

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public async Task Request_MalformedDuringAnOutage_Gets4xxAndWritesNoRow(string name)
    {
        await using var bed = await OutboxHost.StartAsync(new RecordingTemporal { Outage = RecordingTemporal.Unavailable });

        using var response = await MalformedRequestTests.SendAsync(bed.Host, name);

        await MalformedRequestTests.AssertRefusedAsync(response, name);
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'order_outbox'"));
    }

    /// <summary>The functions over a schema of their own on the test run's PostgreSQL, dropped afterwards.</summary>
    private sealed class OutboxHost : IAsyncDisposable
    {
        private readonly string connectionString;

        private OutboxHost(FunctionsHost host, string connectionString)
        {
            Host = host;
            this.connectionString = connectionString;
        }

        public FunctionsHost Host { get; }

        public OrderOutbox Outbox => Host.Services.GetRequiredService<OrderOutbox>();

        public static async Task<OutboxHost> StartAsync(RecordingTemporal temporal, IReadOnlyDictionary<string, string?>? settings = null)
        {
            var postgres = Engines.RequirePostgres();
            var schema = $"accept_{Guid.NewGuid():N}"[..20];
            var all = new Dictionary<string, string?>
            {
                ["Postgres:ConnectionString"] = postgres,
                ["Postgres:Schema"] = schema,
                ["Functions:TemporalCallTimeout"] = "00:00:01",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                all[key] = value;
            }

            var host = await FunctionsHost.StartAsync(temporal, settings: all);
            return new OutboxHost(host, new NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }.ConnectionString);
        }

        public async Task<long> CountAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand("DROP SCHEMA IF EXISTS " + new NpgsqlConnectionStringBuilder(connectionString).SearchPath + " CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

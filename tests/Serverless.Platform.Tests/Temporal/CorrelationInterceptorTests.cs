using Microsoft.Extensions.Logging;
using Serverless.Orders.Contracts;
using Serverless.Orders.Workflows;
using Serverless.Platform.Correlation;
using Serverless.Platform.Temporal;
using Serverless.Platform.Tests.Correlation;
using Serverless.Testing.Replay;
using Temporalio.Activities;
using Temporalio.Api.Common.V1;
using Temporalio.Converters;
using Temporalio.Testing;
using Temporalio.Worker.Interceptors;

namespace Serverless.Platform.Tests.Temporal;

public sealed class CorrelationInterceptorTests
{
    private static readonly OrderInput Order = new("ord-corr-1", "cust-1", [new OrderLine("SKU-1", 1, 5m)], "EUR", "tok_visa");

    [Fact]
    public async Task Workflow_StartedWithCorrelationHeader_PassesItToEveryActivity()
    {
        using var loggers = new ScopeRecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(loggers));
        // Every state change publishes an event through a local activity.
        var history = new HistoryBuilder(OrderWorkflow.Name, Order, Header("corr-42"))
            .Patched(OrderWorkflow.EventsAsLocalActivitiesPatch)
            .LocalActivity("PublishOrderEvent")
            .Activity("ReserveInventory", "dev-inventory", new Reservation("res-1"))
            .LocalActivity("PublishOrderEvent")
            .Activity("ChargePayment", "dev-payments", new PaymentReceipt("ch-1"))
            .LocalActivity("PublishOrderEvent")
            .Activity("ConfirmReservation", "dev-inventory")
            .LocalActivity("PublishOrderEvent")
            .CompletedWith(new OrderOutcome(Order.OrderId, OrderStatus.Confirmed, null, "res-1", "ch-1"));

        var (result, capture) = await Replays.ReplayAsync<OrderWorkflow>(
            history, [new CorrelationInterceptor(factory)], TestContext.Current.CancellationToken);

        Assert.Null(result.ReplayFailure);
        Assert.Equal(3, capture.ScheduledActivities.Count);
        Assert.Equal(4, capture.ScheduledLocalActivities.Count);
        Assert.All(capture.ScheduledActivities.Concat(capture.ScheduledLocalActivities), scheduled => Assert.Equal("corr-42", Read(scheduled.Headers)));
    }

    [Fact]
    public async Task Activity_WithCorrelationHeader_AdoptsItAndScopesEveryLogLine()
    {
        using var loggers = new ScopeRecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(loggers));
        var interceptor = new CorrelationInterceptor(factory);
        var activityLogger = factory.CreateLogger("activity");
        string? seenInside = null;
        var terminal = new Terminal(() =>
        {
            seenInside = CorrelationId.Current;
            activityLogger.LogInformation("charging");
            return Task.FromResult<object?>(null);
        });

        await new ActivityEnvironment().RunAsync(() => interceptor.InterceptActivity(terminal)
            .ExecuteActivityAsync(new ExecuteActivityInput(Definition(), [], Header("corr-7").AsReadOnly())));

        Assert.Equal("corr-7", seenInside);
        var line = Assert.Single(loggers.Lines, l => l.Message == "charging");
        Assert.Contains(line.Scopes, s => s.TryGetValue(CorrelationId.LogProperty, out var v) && Equals(v, "corr-7"));
    }

    [Fact]
    public async Task Activity_WithHostileCorrelationHeader_IgnoresIt()
    {
        using var factory = LoggerFactory.Create(_ => { });
        var interceptor = new CorrelationInterceptor(factory);
        string? seenInside = "unset";
        var terminal = new Terminal(() =>
        {
            seenInside = CorrelationId.Current;
            return Task.FromResult<object?>(null);
        });

        await new ActivityEnvironment().RunAsync(() => interceptor.InterceptActivity(terminal)
            .ExecuteActivityAsync(new ExecuteActivityInput(Definition(), [], Header("line\nbreak").AsReadOnly())));

        Assert.Null(seenInside);
    }

    [Theory]
    [InlineData("abc-123", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("ünïcode", false)]
    public void IsAcceptable_OnlyShortPrintableAscii(string value, bool acceptable)
    {
        Assert.Equal(acceptable, CorrelationId.IsAcceptable(value));
        Assert.False(CorrelationId.IsAcceptable(new string('a', 129)));
    }

    private static Dictionary<string, Payload> Header(string correlationId) =>
        new() { [CorrelationId.TemporalHeader] = DataConverter.Default.PayloadConverter.ToPayload(correlationId) };

    private static string? Read(IDictionary<string, Payload>? headers) =>
        headers is not null && headers.TryGetValue(CorrelationId.TemporalHeader, out var payload)
            ? DataConverter.Default.PayloadConverter.ToValue<string>(payload)
            : null;

    private static ActivityDefinition Definition() => ActivityDefinition.Create("ChargePayment", typeof(object), [], 0, _ => null);

    private sealed class Terminal(Func<Task<object?>> body) : ActivityInboundInterceptor(null!)
    {
        public override Task<object?> ExecuteActivityAsync(ExecuteActivityInput input) => body();
    }
}

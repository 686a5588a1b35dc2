using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Orders.Activities;
using Serverless.Workers.InFlight;
using Serverless.Workers.Observability;
using Serverless.Workers.Queues;
using Temporalio.Activities;
using Temporalio.Exceptions;
using Temporalio.Testing;
using Temporalio.Worker.Interceptors;
using Temporalio.Worker.Tuning;

namespace Serverless.Workers.Tests.Observability;

public sealed class ActivityObservabilityInterceptorTests : IDisposable
{
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener listener = new();
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> measurements = [];

    public ActivityObservabilityInterceptorTests()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ActivityObservabilityInterceptor.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        listener.Start();
    }

    [Fact]
    public async Task ExecuteActivity_Succeeds_CountsStartedCompletedAndFreesSlot()
    {
        using var interceptor = new ActivityObservabilityInterceptor(services.GetRequiredService<IMeterFactory>(), NullLoggerFactory.Instance);

        await RunAsync(interceptor, new Terminal(() => Task.FromResult<object?>("ok")));

        Assert.Equal(1, Sum("serverless.activity.started"));
        Assert.Equal(1, Sum("serverless.activity.completed"));
        Assert.Equal(0, Sum("serverless.activity.failed"));
        Assert.Equal(0, Sum("serverless.worker.busy_slots"));
        Assert.All(measurements, m => Assert.Equal("dev-payments", m.Tags["task_queue"]));
    }

    [Fact]
    public async Task ExecuteActivity_BusinessFailure_CountsFailureWithErrorType()
    {
        using var interceptor = new ActivityObservabilityInterceptor(services.GetRequiredService<IMeterFactory>(), NullLoggerFactory.Instance);
        var failing = new Terminal(() => throw new ApplicationFailureException("declined", "PaymentDeclined", nonRetryable: true));

        await Assert.ThrowsAsync<ApplicationFailureException>(() => RunAsync(interceptor, failing));

        var failure = Assert.Single(measurements, m => m.Instrument == "serverless.activity.failed");
        Assert.Equal("PaymentDeclined", failure.Tags["error_type"]);
        Assert.Equal(0, Sum("serverless.activity.completed"));
        Assert.Equal(0, Sum("serverless.worker.busy_slots"));
    }

    [Fact]
    public async Task ExecuteActivity_InFlight_HoldsOneBusySlot()
    {
        using var interceptor = new ActivityObservabilityInterceptor(services.GetRequiredService<IMeterFactory>(), NullLoggerFactory.Instance);
        var release = new TaskCompletionSource<object?>();
        var entered = new TaskCompletionSource();

        var running = RunAsync(interceptor, new Terminal(() =>
        {
            entered.SetResult();
            return release.Task;
        }));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(1, Sum("serverless.worker.busy_slots"));
        release.SetResult(null);
        await running;
        Assert.Equal(0, Sum("serverless.worker.busy_slots"));
    }

    [Fact]
    public async Task RegisterSlots_ActivitySlotMarkedUsed_GaugesShowTheLeasedCountsAndCapacity()
    {
        using var interceptor = new ActivityObservabilityInterceptor(services.GetRequiredService<IMeterFactory>(), NullLoggerFactory.Instance);
        var slots = new QueueSlots(new QueueWorkerPlan("payments", "dev-payments", [], [typeof(PaymentActivities)], new QueueOptions { MaxConcurrentActivities = 6 }));
        var permit = await slots.Activity.ReserveSlotAsync(
            new SlotReserveContext(SlotType.Activity, "dev-payments", "w", "b", IsSticky: false), TestContext.Current.CancellationToken);
        slots.Activity.MarkSlotUsed(new SlotMarkUsedContext(new SlotInfo.ActivitySlotInfo("ChargePayment"), permit));

        interceptor.RegisterSlots(slots);
        listener.RecordObservableInstruments();

        Assert.Equal(6, Sum("serverless.worker.slot_capacity"));
        lock (measurements)
        {
            var leased = measurements.Where(m => m.Instrument == "serverless.worker.leased_slots").ToDictionary(m => (string)m.Tags["slot_type"]!, m => m.Value);
            Assert.Equal(new Dictionary<string, long> { ["activity"] = 1, ["workflow"] = 0 }, leased);
        }
    }

    public void Dispose()
    {
        listener.Dispose();
        services.Dispose();
    }

    private static Task<object?> RunAsync(ActivityObservabilityInterceptor interceptor, ActivityInboundInterceptor terminal)
    {
        var environment = new ActivityEnvironment
        {
            Info = ActivityEnvironment.DefaultInfo with { TaskQueue = "dev-payments", ActivityType = "ChargePayment", WorkflowId = "ord-1" },
        };
        var definition = ActivityDefinition.Create("ChargePayment", typeof(object), [], 0, _ => null);
        return environment.RunAsync(() => interceptor.InterceptActivity(terminal).ExecuteActivityAsync(new ExecuteActivityInput(definition, [], null)));
    }

    private long Sum(string instrument)
    {
        lock (measurements)
        {
            return measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);
        }
    }

    /// <summary>Stands in for the activity itself at the end of the interceptor chain (nothing after it).</summary>
    private sealed class Terminal(Func<Task<object?>> body) : ActivityInboundInterceptor(null!)
    {
        public override Task<object?> ExecuteActivityAsync(ExecuteActivityInput input) => body();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Serverless.Workers.InFlight;
using Temporalio.Activities;
using Temporalio.Worker.Interceptors;

namespace Serverless.Workers.Observability;

/// <summary>
/// Metrics and log scope of every activity execution: started/completed/failed counters, duration,
/// and busy slots per task queue. Busy slots matter for scaling: the backlog metrics KEDA reads do
/// not see work in flight (architecture §9), this gauge does.
/// </summary>
public sealed class ActivityObservabilityInterceptor : IWorkerInterceptor, IDisposable
{
    public const string MeterName = "Serverless.Workers";

    private readonly Meter meter;
    private readonly Counter<long> started;
    private readonly Counter<long> completed;
    private readonly Counter<long> failed;
    private readonly Histogram<double> duration;
    private readonly UpDownCounter<long> busySlots;
    private readonly ILogger scopeLogger;
    private readonly ConcurrentDictionary<string, QueueSlots> slots = new(StringComparer.Ordinal);

    public ActivityObservabilityInterceptor(IMeterFactory meters, ILoggerFactory loggerFactory)
    {
        meter = meters.Create(MeterName);
        started = meter.CreateCounter<long>("serverless.activity.started", "{activity}", "Activity executions started (attempts included)");
        completed = meter.CreateCounter<long>("serverless.activity.completed", "{activity}", "Activity executions that returned");
        failed = meter.CreateCounter<long>("serverless.activity.failed", "{activity}", "Activity executions that threw");
        duration = meter.CreateHistogram<double>("serverless.activity.duration", "s", "Activity execution time");
        busySlots = meter.CreateUpDownCounter<long>("serverless.worker.busy_slots", "{slot}", "Activity slots in use");
        meter.CreateObservableGauge(
            "serverless.worker.slot_capacity",
            () => slots.Values.Select(q => new Measurement<long>(q.Activity.Capacity, new KeyValuePair<string, object?>("task_queue", q.TaskQueue))),
            "{slot}",
            "Activity slots configured");
        meter.CreateObservableGauge(
            "serverless.worker.leased_slots",
            () => slots.Values.SelectMany(q => new[]
            {
                new Measurement<long>(q.Activity.Used, new("task_queue", q.TaskQueue), new("slot_type", "activity")),
                new Measurement<long>(q.Workflow.Used, new("task_queue", q.TaskQueue), new("slot_type", "workflow")),
            }),
            "{slot}",
            "Slots in use as the in-flight lease reports them to the scaler (marked used, not yet released)");
        scopeLogger = loggerFactory.CreateLogger("Serverless.Workers.Activity");
    }

    public ActivityInboundInterceptor InterceptActivity(ActivityInboundInterceptor nextInterceptor) =>
        new Inbound(this, nextInterceptor);

    /// <summary>Publishes the slots of a queue it polls, so busy/capacity gives utilisation.</summary>
    public void RegisterSlots(QueueSlots queue) => slots[queue.TaskQueue] = queue;

    public void Dispose() => meter.Dispose();

    private sealed class Inbound(ActivityObservabilityInterceptor root, ActivityInboundInterceptor next) : ActivityInboundInterceptor(next)
    {
        public override async Task<object?> ExecuteActivityAsync(ExecuteActivityInput input)
        {
            var info = ActivityExecutionContext.Current.Info;
            var tags = new TagList { { "task_queue", info.TaskQueue }, { "activity", info.ActivityType } };
            using var scope = root.scopeLogger.BeginScope(new Dictionary<string, object?>
            {
                ["WorkflowId"] = info.WorkflowId,
                ["Activity"] = info.ActivityType,
                ["TaskQueue"] = info.TaskQueue,
                ["Attempt"] = info.Attempt,
            });
            root.started.Add(1, tags);
            root.busySlots.Add(1, tags);
            var clock = Stopwatch.StartNew();
            try
            {
                var result = await Next.ExecuteActivityAsync(input);
                root.completed.Add(1, tags);
                return result;
            }
            catch (Exception e)
            {
                var failureTags = tags;
                failureTags.Add("error_type", e is Temporalio.Exceptions.ApplicationFailureException { ErrorType: { } type } ? type : e.GetType().Name);
                root.failed.Add(1, failureTags);
                throw;
            }
            finally
            {
                root.busySlots.Add(-1, tags);
                root.duration.Record(clock.Elapsed.TotalSeconds, tags);
            }
        }
    }
}

using Microsoft.Extensions.Options;
using Serverless.Platform.Hosting;
using Serverless.Platform.Temporal;
using Serverless.Workers.InFlight;
using Serverless.Workers.Observability;
using Serverless.Workers.Queues;
using Temporalio.Extensions.Hosting;
using Temporalio.Worker;

namespace Serverless.Workers.Hosting;

/// <summary>
/// Polls one task queue until the host stops. On SIGTERM polling stops at once, in-flight
/// activities get the drain timeout of the shutdown budget to finish (Temporal's
/// GracefulShutdownTimeout, zero unless set), then their tokens are cancelled. Its slots are
/// counted (<see cref="QueueSlots"/>) for the in-flight lease, which outlives the drain.
/// </summary>
public sealed partial class QueueWorkerService(
    QueueWorkerPlan plan,
    QueueSlots slots,
    IServiceProvider services,
    IOptions<ShutdownBudgetOptions> budget,
    WorkerReadiness readiness,
    CorrelationInterceptor correlation,
    ActivityObservabilityInterceptor observability,
    ILoggerFactory loggerFactory,
    ILogger<QueueWorkerService> logger) : BackgroundService
{
    public TemporalWorkerOptions BuildWorkerOptions()
    {
        var tuning = plan.Tuning;
        var options = new TemporalWorkerOptions(plan.TaskQueue)
        {
            // Bounded at MaxConcurrentActivities/MaxConcurrentWorkflowTasks as those options would be
            // (the SDK refuses them alongside a tuner), and counted for the in-flight lease.
            Tuner = slots.CreateTuner(),
            MaxConcurrentActivityTaskPolls = tuning.MaxConcurrentActivityTaskPolls,
            MaxConcurrentWorkflowTaskPolls = tuning.MaxConcurrentWorkflowTaskPolls,
            MaxCachedWorkflows = tuning.MaxCachedWorkflows,
            MaxActivitiesPerSecond = tuning.MaxActivitiesPerSecond,
            // Registered local activities would otherwise start an activity poller on a queue that
            // never gets an activity task.
            LocalActivityWorkerOnly = plan.Activities.Count == 0,
            GracefulShutdownTimeout = budget.Value.DrainTimeout,
            Interceptors = [correlation, observability],
            LoggerFactory = loggerFactory,
        };
        foreach (var workflow in plan.Workflows)
        {
            options.AddWorkflow(workflow);
        }

        foreach (var definition in plan.Activities.Union(plan.LocalActivities).SelectMany(services.CreateTemporalActivityDefinitions))
        {
            options.AddActivity(definition);
        }

        return options;
    }

    /// <summary>Drained also when the worker never started (stopped while still connecting, or never run).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken);
        }
        finally
        {
            slots.MarkDrained();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        readiness.Expect(plan.TaskQueue);
        // Resolved here, not in the constructor: hosted services are built before options are
        // validated, and the client reads its options when built.
        var client = await services.GetRequiredService<TemporalConnector>().ConnectAsync(stoppingToken);
        var options = BuildWorkerOptions();
        using var worker = new TemporalWorker(client, options);
        observability.RegisterSlots(slots);
        LogPolling(plan.TaskQueue, plan.Workflows.Count, plan.Activities.Count, plan.LocalActivities.Count, options.GracefulShutdownTimeout);
        readiness.MarkPolling(plan.TaskQueue);
        try
        {
            await worker.ExecuteAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogDrained(plan.TaskQueue);
        }
        finally
        {
            readiness.MarkStopped(plan.TaskQueue);
            slots.MarkDrained();
        }
    }

    [LoggerMessage(2100, LogLevel.Information, "Polling task queue {TaskQueue}: {WorkflowCount} workflow types, {ActivitySetCount} activity sets, {LocalActivitySetCount} local activity sets, drain timeout {DrainTimeout}")]
    private partial void LogPolling(string taskQueue, int workflowCount, int activitySetCount, int localActivitySetCount, TimeSpan drainTimeout);

    [LoggerMessage(2101, LogLevel.Information, "Stopped polling {TaskQueue}; in-flight work drained")]
    private partial void LogDrained(string taskQueue);
}

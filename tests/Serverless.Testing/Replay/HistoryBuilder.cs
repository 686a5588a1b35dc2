using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Sdk.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Common;
using Temporalio.Converters;

namespace Serverless.Testing.Replay;

/// <summary>
/// Builds workflow histories by hand for offline replay (see shared/docs/replay-histories.md).
/// Event ids, activity ids and timestamps are assigned in order; the first workflow task carries
/// the SDK flags that make replay compare activity types and ids (without them a wrong activity
/// replays "successfully").
/// </summary>
public sealed class HistoryBuilder
{
    public const string WorkflowTaskQueue = "dev-orders";

    private static readonly DateTime Start = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
    private readonly List<HistoryEvent> events = [];
    private long lastWorkflowTaskCompletedId;
    private long pendingActivityScheduledId;
    private long pendingActivityStartedId;
    private int activitySeq;

    public HistoryBuilder(string workflowType, object? input, IDictionary<string, Payload>? headers = null)
    {
        var attributes = new WorkflowExecutionStartedEventAttributes
        {
            WorkflowType = new WorkflowType { Name = workflowType },
            TaskQueue = new TaskQueue { Name = WorkflowTaskQueue },
            WorkflowTaskTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
            Input = Payloads(input),
            Attempt = 1,
        };
        if (headers is not null)
        {
            attributes.Header = new Header();
            attributes.Header.Fields.Add(headers);
        }

        Add(EventType.WorkflowExecutionStarted, e => e.WorkflowExecutionStartedEventAttributes = attributes);
        WorkflowTask();
    }

    /// <summary>Scheduled + started + completed workflow task; the first one carries the SDK flags.</summary>
    public HistoryBuilder WorkflowTask()
    {
        var scheduled = Add(EventType.WorkflowTaskScheduled, e => e.WorkflowTaskScheduledEventAttributes = new() { TaskQueue = new TaskQueue { Name = WorkflowTaskQueue } });
        var started = Add(EventType.WorkflowTaskStarted, e => e.WorkflowTaskStartedEventAttributes = new() { ScheduledEventId = scheduled });
        var first = lastWorkflowTaskCompletedId == 0;
        lastWorkflowTaskCompletedId = Add(EventType.WorkflowTaskCompleted, e =>
        {
            e.WorkflowTaskCompletedEventAttributes = new() { ScheduledEventId = scheduled, StartedEventId = started };
            if (first)
            {
                e.WorkflowTaskCompletedEventAttributes.SdkMetadata = new WorkflowTaskCompletedMetadata
                {
                    CoreUsedFlags = { 1, 2, 3 },
                    LangUsedFlags = { 2 },
                };
            }
        });
        return this;
    }

    public HistoryBuilder ScheduleActivity(string activityType, string taskQueue)
    {
        var activityId = (++activitySeq).ToString(System.Globalization.CultureInfo.InvariantCulture);
        pendingActivityScheduledId = Add(EventType.ActivityTaskScheduled, e => e.ActivityTaskScheduledEventAttributes = new()
        {
            ActivityId = activityId,
            ActivityType = new ActivityType { Name = activityType },
            TaskQueue = new TaskQueue { Name = taskQueue },
            WorkflowTaskCompletedEventId = lastWorkflowTaskCompletedId,
        });
        return this;
    }

    /// <summary>The attempt that a worker picked up; earlier attempts' failures never reach the history.</summary>
    public HistoryBuilder ActivityStarted(int attempt = 1)
    {
        var scheduled = pendingActivityScheduledId;
        pendingActivityStartedId = Add(EventType.ActivityTaskStarted, e => e.ActivityTaskStartedEventAttributes = new()
        {
            ScheduledEventId = scheduled,
            Attempt = attempt,
        });
        return this;
    }

    public HistoryBuilder ActivityCompleted(object? result = null)
    {
        var (scheduled, started) = StartedActivity();
        Add(EventType.ActivityTaskCompleted, e => e.ActivityTaskCompletedEventAttributes = new()
        {
            ScheduledEventId = scheduled,
            StartedEventId = started,
            Result = result is null ? null : Payloads(result),
        });
        return this;
    }

    public HistoryBuilder ActivityFailed(string errorType, string message = "rejected")
    {
        var (scheduled, started) = StartedActivity();
        Add(EventType.ActivityTaskFailed, e => e.ActivityTaskFailedEventAttributes = new()
        {
            ScheduledEventId = scheduled,
            StartedEventId = started,
            RetryState = RetryState.NonRetryableFailure,
            Failure = new Failure
            {
                Message = message,
                ApplicationFailureInfo = new ApplicationFailureInfo { Type = errorType, NonRetryable = true },
            },
        });
        return this;
    }

    public HistoryBuilder Signal(string name, object? argument = null, IDictionary<string, Payload>? headers = null)
    {
        Add(EventType.WorkflowExecutionSignaled, e =>
        {
            e.WorkflowExecutionSignaledEventAttributes = new() { SignalName = name, Input = argument is null ? null : Payloads(argument) };
            if (headers is not null)
            {
                e.WorkflowExecutionSignaledEventAttributes.Header = new Header();
                e.WorkflowExecutionSignaledEventAttributes.Header.Fields.Add(headers);
            }
        });
        return this;
    }

    /// <summary>An activity scheduled, run and completed, followed by the workflow task that reacts to it.</summary>
    public HistoryBuilder Activity(string activityType, string taskQueue, object? result = null) =>
        ScheduleActivity(activityType, taskQueue).ActivityCompleted(result).WorkflowTask();

    public HistoryBuilder ActivityFails(string activityType, string taskQueue, string errorType) =>
        ScheduleActivity(activityType, taskQueue).ActivityFailed(errorType).WorkflowTask();

    public WorkflowHistory CompletedWith(object? result)
    {
        var completedBy = lastWorkflowTaskCompletedId;
        Add(EventType.WorkflowExecutionCompleted, e => e.WorkflowExecutionCompletedEventAttributes = new()
        {
            Result = Payloads(result),
            WorkflowTaskCompletedEventId = completedBy,
        });
        return Build();
    }

    /// <summary>No terminal event: replay runs the open end freely, for looking at mid-run state only.</summary>
    public WorkflowHistory Open() => Build();

    /// <summary>Ids of the pending activity's scheduled and started events (started with attempt 1 if not yet).</summary>
    private (long Scheduled, long Started) StartedActivity()
    {
        if (pendingActivityStartedId <= pendingActivityScheduledId)
        {
            ActivityStarted();
        }

        return (pendingActivityScheduledId, pendingActivityStartedId);
    }

    private static Payloads Payloads(object? value) =>
        new() { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload(value) } };

    private WorkflowHistory Build() => new("replay-" + Guid.NewGuid().ToString("N")[..8], [.. events]);

    private long Add(EventType type, Action<HistoryEvent> fill)
    {
        var id = events.Count + 1;
        var historyEvent = new HistoryEvent
        {
            EventId = id,
            EventType = type,
            EventTime = Timestamp.FromDateTime(Start.AddSeconds(id)),
        };
        fill(historyEvent);
        events.Add(historyEvent);
        return id;
    }
}

using Google.Protobuf.WellKnownTypes;
using System.Text.Json;
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
/// Builds workflow histories by hand for offline replay. Event ids, activity ids and timestamps
/// are assigned in order; the first workflow task carries the SDK flags that make replay compare
/// activity types and ids (without them a wrong activity replays "successfully"). Activities and
/// local activities share one sequence, as the .NET SDK numbers them.
/// </summary>
public sealed class HistoryBuilder
{
    public const string WorkflowTaskQueue = "dev-orders";

    /// <summary>The marker name the Temporal core gives a local activity's result.</summary>
    public const string LocalActivityMarker = "core_local_activity";

    /// <summary>The marker name the Temporal core gives a <c>Workflow.Patched</c> call recorded in a new run.</summary>
    public const string PatchMarker = "core_patch";

    private static readonly DateTime Start = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    // The core reads the marker's "data" as serde JSON of its LocalActivityMarkerData: snake_case
    // field names, timestamps and durations as {seconds, nanos}, every field present.
    private static readonly JsonSerializerOptions MarkerJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly List<HistoryEvent> events = [];
    private long lastWorkflowTaskCompletedId;
    private long pendingActivityScheduledId;
    private long pendingActivityStartedId;
    private int activitySeq;
    private int timerSeq;
    private long pendingTimerStartedId;

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

    /// <summary>
    /// A local activity that completed inside the workflow task just recorded: its marker, placed
    /// among that task's commands in the order the code issued them. <paramref name="attempt"/> is
    /// the attempt that succeeded (retries within the task leave no other trace).
    /// </summary>
    public HistoryBuilder LocalActivity(string activityType, object? result = null, int attempt = 1) =>
        RecordLocalActivity(activityType, attempt, result, failure: null, backoff: null);

    /// <summary>
    /// A local activity whose attempt failed with a backoff beyond its local retry threshold: the
    /// marker carries the failure and the backoff, and the workflow waits on a timer (left pending:
    /// follow with <see cref="TimerFired"/>) before scheduling the next attempt as a new local activity.
    /// </summary>
    public HistoryBuilder LocalActivityBackingOff(string activityType, int attempt, TimeSpan backoff, string message = "unavailable")
    {
        RecordLocalActivity(activityType, attempt, result: null, new Failure { Message = message, ApplicationFailureInfo = new ApplicationFailureInfo() }, backoff);
        var timerId = (++timerSeq).ToString(System.Globalization.CultureInfo.InvariantCulture);
        pendingTimerStartedId = Add(EventType.TimerStarted, e => e.TimerStartedEventAttributes = new()
        {
            TimerId = timerId,
            StartToFireTimeout = Duration.FromTimeSpan(backoff),
            WorkflowTaskCompletedEventId = lastWorkflowTaskCompletedId,
        });
        return this;
    }

    public HistoryBuilder TimerFired()
    {
        var started = pendingTimerStartedId;
        var timerId = events[(int)started - 1].TimerStartedEventAttributes.TimerId;
        Add(EventType.TimerFired, e => e.TimerFiredEventAttributes = new() { TimerId = timerId, StartedEventId = started });
        return this;
    }

    /// <summary>
    /// A <c>Workflow.Patched</c> call made for the first time in a new run, inside the workflow task
    /// just recorded: the patch marker, then the <c>TemporalChangeVersion</c> search attribute upsert
    /// the core adds for it (core flag 2, set on the first workflow task).
    /// </summary>
    public HistoryBuilder Patched(string patchId)
    {
        var completedBy = lastWorkflowTaskCompletedId;
        Add(EventType.MarkerRecorded, e =>
        {
            e.MarkerRecordedEventAttributes = new() { MarkerName = PatchMarker, WorkflowTaskCompletedEventId = completedBy };
            e.MarkerRecordedEventAttributes.Details.Add("patch-data", new Payloads
            {
                Payloads_ = { JsonPayload(JsonSerializer.SerializeToUtf8Bytes(new PatchedMarkerData(patchId, Deprecated: false), MarkerJson)) },
            });
        });
        var version = JsonPayload(JsonSerializer.SerializeToUtf8Bytes(new[] { patchId }));
        version.Metadata["type"] = Google.Protobuf.ByteString.CopyFromUtf8("KeywordList");
        Add(EventType.UpsertWorkflowSearchAttributes, e => e.UpsertWorkflowSearchAttributesEventAttributes = new()
        {
            WorkflowTaskCompletedEventId = completedBy,
            SearchAttributes = new Temporalio.Api.Common.V1.SearchAttributes { IndexedFields = { ["TemporalChangeVersion"] = version } },
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

    private HistoryBuilder RecordLocalActivity(string activityType, int attempt, object? result, Failure? failure, TimeSpan? backoff)
    {
        var seq = ++activitySeq;
        var completedBy = lastWorkflowTaskCompletedId;
        // Perceived completion time: the start of the workflow task that ran it.
        var completeTime = ProtoTime.From(events[(int)completedBy - 2].EventTime);
        var data = new LocalActivityMarkerData(
            (uint)seq,
            (uint)attempt,
            seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            activityType,
            completeTime,
            backoff is { } wait ? new ProtoTime(wait.Ticks / TimeSpan.TicksPerSecond, (int)(wait.Ticks % TimeSpan.TicksPerSecond * 100)) : null,
            completeTime);
        Add(EventType.MarkerRecorded, e =>
        {
            e.MarkerRecordedEventAttributes = new()
            {
                MarkerName = LocalActivityMarker,
                WorkflowTaskCompletedEventId = completedBy,
                Failure = failure,
            };
            e.MarkerRecordedEventAttributes.Details.Add("data", new Payloads
            {
                Payloads_ = { JsonPayload(JsonSerializer.SerializeToUtf8Bytes(data, MarkerJson)) },
            });
            if (failure is null)
            {
                e.MarkerRecordedEventAttributes.Details.Add("result", Payloads(result));
            }
        });
        return this;
    }

    private static Payload JsonPayload(byte[] json) => new()
    {
        Metadata = { ["encoding"] = Google.Protobuf.ByteString.CopyFromUtf8("json/plain") },
        Data = Google.Protobuf.ByteString.CopyFrom(json),
    };

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

/// <summary>The core's LocalActivityMarkerData (coresdk.external_data), as it writes it into the marker.</summary>
internal sealed record LocalActivityMarkerData(
    uint Seq, uint Attempt, string ActivityId, string ActivityType, ProtoTime? CompleteTime, ProtoTime? Backoff, ProtoTime? OriginalScheduleTime);

/// <summary>The core's PatchedMarkerData (coresdk.external_data), as it writes it into the patch marker.</summary>
internal sealed record PatchedMarkerData(string Id, bool Deprecated);

/// <summary>A protobuf Timestamp or Duration in the core's serde form.</summary>
internal sealed record ProtoTime(long Seconds, int Nanos)
{
    public static ProtoTime From(Timestamp time) => new(time.Seconds, time.Nanos);
}

using Temporalio.Common;
using Temporalio.Runtime;
using Temporalio.Worker;
using Temporalio.Worker.Interceptors;

namespace Serverless.Testing.Replay;

/// <summary>Replays one history against real workflow code, bounded in time, and captures what the code did.</summary>
public static class Replays
{
    // A malformed history can make the native poller hang; no replay may hold the suite hostage.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // The core logs every failed task on stderr; the tests assert on the failures themselves.
    private static readonly TemporalRuntime QuietRuntime = new(new TemporalRuntimeOptions
    {
        Telemetry = new TelemetryOptions { Logging = null },
    });

    public static async Task<(WorkflowReplayResult Result, ReplayCapture Capture)> ReplayAsync<TWorkflow>(
        WorkflowHistory history, IEnumerable<IWorkerInterceptor>? interceptors = null, CancellationToken cancellationToken = default)
    {
        var capture = new ReplayCapture();
        var options = new WorkflowReplayerOptions
        {
            Runtime = QuietRuntime,
            // First in the list = outermost inbound but innermost outbound: the capture sees the
            // activity commands after every other interceptor has added its headers.
            Interceptors = [capture, .. interceptors ?? []],
        }.AddWorkflow<TWorkflow>();
        var result = await new WorkflowReplayer(options)
            .ReplayWorkflowAsync(history, throwOnReplayFailure: false, cancellationToken)
            .WaitAsync(Bound, cancellationToken);
        return (result, capture);
    }
}

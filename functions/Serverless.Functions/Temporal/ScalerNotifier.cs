using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serverless.Functions.Temporal;

/// <summary>
/// Tells the push scaler that a task queue just got work (<c>POST /notify/{taskQueue}</c>), so a
/// queue scaled to zero wakes now instead of at KEDA's next poll. Best effort and bounded: the
/// workflow is already durable in Temporal, and polling still wakes the queue if this call fails.
/// </summary>
public sealed partial class ScalerNotifier(HttpClient http, IOptions<FunctionsOptions> options, ILogger<ScalerNotifier> logger)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(500);

    public async Task NotifyAsync(string taskQueue, CancellationToken cancellationToken)
    {
        if (options.Value.ScalerNotifyUrl is not { } scaler)
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Bound);
        try
        {
            using var response = await http.PostAsync(new Uri(scaler, $"notify/{Uri.EscapeDataString(taskQueue)}"), content: null, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogNotifyFailed(taskQueue, $"HTTP {(int)response.StatusCode}");
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogNotifyFailed(taskQueue, e.Message);
        }
    }

    [LoggerMessage(3300, LogLevel.Debug, "Push scaler not notified of work on {TaskQueue}: {Reason}")]
    private partial void LogNotifyFailed(string taskQueue, string reason);
}

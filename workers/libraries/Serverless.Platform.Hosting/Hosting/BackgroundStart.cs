namespace Serverless.Platform.Hosting;

/// <summary>Start-up work that nobody waits for, on the thread pool.</summary>
internal static class BackgroundStart
{
    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool, the caller's thread going on meanwhile. A failure
    /// is observed here, so it is not an unobserved task exception; whoever needs the result meets it
    /// again and reports it.
    /// </summary>
    public static void Run(Func<Task> work) =>
        _ = Task.Run(work, CancellationToken.None)
            .ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}

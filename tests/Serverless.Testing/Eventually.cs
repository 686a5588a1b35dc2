namespace Serverless.Testing;

/// <summary>Waits for a condition by polling, with a bound: no fixed sleeps, no unbounded waits.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static Task TrueAsync(Func<bool> condition, TimeSpan bound, string because) =>
        TrueAsync(() => Task.FromResult(condition()), bound, because);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan bound, string because)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Xunit.TestContext.Current.CancellationToken);
        timeout.CancelAfter(bound);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }

                await Task.Delay(PollInterval, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Not true within {bound}: {because}");
            }
            catch (HttpRequestException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(PollInterval, timeout.Token);
            }
        }
    }
}

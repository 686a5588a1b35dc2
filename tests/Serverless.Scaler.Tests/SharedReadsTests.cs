using Microsoft.Extensions.Time.Testing;
using Serverless.Scaler.Backlog;

namespace Serverless.Scaler.Tests;

public sealed class SharedReadsTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private int reads;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetAsync_ConcurrentCallers_ShareOneRead()
    {
        var shared = new SharedReads<string, int>(MaxAge, clock);
        var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 3).Select(_ => shared.GetAsync("payments", () => Count(reply.Task), Ct)).ToList();
        reply.SetResult(7);

        var values = await Task.WhenAll(callers);

        Assert.Equal([7, 7, 7], values);
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task GetAsync_WithinAndAfterMaxAge_ReusesThenReadsAgain()
    {
        var shared = new SharedReads<string, int>(MaxAge, clock);

        Assert.Equal(1, await shared.GetAsync("payments", () => Count(Task.FromResult(1)), Ct));
        clock.Advance(MaxAge - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await shared.GetAsync("payments", () => Count(Task.FromResult(2)), Ct));
        Assert.Equal(3, await shared.GetAsync("inventory", () => Count(Task.FromResult(3)), Ct));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(4, await shared.GetAsync("payments", () => Count(Task.FromResult(4)), Ct));

        Assert.Equal(3, reads);
    }

    [Fact]
    public async Task GetAsync_FailedRead_IsNotReused()
    {
        var shared = new SharedReads<string, int>(MaxAge, clock);

        await Assert.ThrowsAsync<TimeoutException>(() => shared.GetAsync("payments", () => Count(Task.FromException<int>(new TimeoutException())), Ct));

        Assert.Equal(5, await shared.GetAsync("payments", () => Count(Task.FromResult(5)), Ct));
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task GetAsync_OneCallerCancels_OthersStillGetTheSharedRead()
    {
        var shared = new SharedReads<string, int>(MaxAge, clock);
        var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();

        var cancelled = shared.GetAsync("payments", () => Count(reply.Task), impatient.Token);
        var patient = shared.GetAsync("payments", () => Count(reply.Task), Ct);
        await impatient.CancelAsync();
        reply.SetResult(8);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(8, await patient);
        Assert.Equal(1, reads);
    }

    private Task<int> Count(Task<int> reply)
    {
        Interlocked.Increment(ref reads);
        return reply;
    }
}

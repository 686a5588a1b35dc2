using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Serverless.Platform.Hosting;

/// <summary>
/// Starts a dependency's connect (Redis, PostgreSQL) when the host starts, before the hosted
/// services and the server, instead of when the first component needs it: the connect then overlaps
/// with the rest of start-up, a cold start's largest part. Never waits and never fails the start:
/// whoever needs the dependency awaits the same connect (and readiness waits on it), and a failed
/// one is retried there.
/// </summary>
internal sealed class StartupWarmup(IServiceProvider provider, Func<IServiceProvider, Task> start) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // On the thread pool, resolving the dependency included: the host's start goes on meanwhile.
        // Observed here so a failure is not an unobserved task exception; its owner reports it.
        _ = Task.Run(() => start(provider), CancellationToken.None).ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class StartupWarmupRegistration
{
    /// <summary>Runs <paramref name="start"/> (a connect whose task its owner keeps) as the host starts, without waiting for it.</summary>
    public static IServiceCollection AddStartupWarmup(this IServiceCollection services, Func<IServiceProvider, Task> start) =>
        services.AddSingleton<IHostedService>(provider => new StartupWarmup(provider, start));
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Serverless.Platform.Hosting;

/// <summary>A dependency's connect (Redis, PostgreSQL) whose task its owner keeps: see <see cref="StartupWarmups"/>.</summary>
internal sealed record StartupWarmupWork(Func<IServiceProvider, Task> Start);

/// <summary>
/// Starts the dependencies' connects (Redis, PostgreSQL) before the host starts, instead of when the
/// first component needs them: they then overlap with the rest of start-up, a cold start's largest
/// part. <see cref="HostRunner.RunServerless"/> begins them once the options are validated, before
/// the server starts (a configuration that stops the process never connects anything); a host
/// started otherwise (tests) begins them as it starts. Never waits and never fails the start:
/// whoever needs the dependency awaits the same connect (and readiness waits on it), and a failed
/// one is retried there.
/// </summary>
public sealed class StartupWarmups
{
    private readonly IServiceProvider provider;
    private readonly IReadOnlyList<StartupWarmupWork> work;
    private int begun;

    internal StartupWarmups(IServiceProvider provider, IEnumerable<StartupWarmupWork> work)
    {
        this.provider = provider;
        this.work = [.. work];
    }

    /// <summary>Begins every connect on the thread pool, the first time only.</summary>
    public void Begin()
    {
        if (Interlocked.Exchange(ref begun, 1) == 1)
        {
            return;
        }

        foreach (var item in work)
        {
            // Resolving the dependency is part of the work; its owner reports a failure.
            BackgroundStart.Run(() => item.Start(provider));
        }
    }

    /// <summary>Begins the connects of a host started without <see cref="HostRunner.RunServerless"/>, before any hosted service starts.</summary>
    private sealed class OnHostStarting(StartupWarmups warmups) : HostLifecycleHook
    {
        public override Task StartingAsync(CancellationToken cancellationToken)
        {
            warmups.Begin();
            return Task.CompletedTask;
        }
    }

    internal static void Register(IServiceCollection services)
    {
        services.TryAddSingleton(provider => new StartupWarmups(provider, provider.GetServices<StartupWarmupWork>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OnHostStarting>());
    }
}

public static class StartupWarmupRegistration
{
    /// <summary>Runs <paramref name="start"/> (a connect whose task its owner keeps) as early as the host allows, without waiting for it.</summary>
    public static IServiceCollection AddStartupWarmup(this IServiceCollection services, Func<IServiceProvider, Task> start)
    {
        StartupWarmups.Register(services);
        return services.AddSingleton(new StartupWarmupWork(start));
    }
}

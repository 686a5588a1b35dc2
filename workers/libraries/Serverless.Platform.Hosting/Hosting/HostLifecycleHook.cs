using Microsoft.Extensions.Hosting;

namespace Serverless.Platform.Hosting;

/// <summary>A hosted service that only acts at one moment of the host's start or stop: it overrides that moment.</summary>
internal abstract class HostLifecycleHook : IHostedLifecycleService
{
    public virtual Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Platform.Configuration;
using Serverless.Platform.Hosting;

namespace Serverless.Platform.Tests.Hosting;

/// <summary>
/// The dependencies' connects of a cold start begin once the options are valid and before the host
/// starts (issue 12), never for a configuration that stops the process, and once.
/// </summary>
[Collection(ProcessTelemetry.Collection)]
public sealed class StartupWarmupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunServerless_InvalidConfiguration_RefusesToStartWithoutConnectingAnything()
    {
        var warmups = new Runs();
        await using var app = Build(valid: false, services => services.AddStartupWarmup(warmups.Count));

        var exitCode = app.RunServerless();

        Assert.Equal(HostRunner.InvalidConfigurationExitCode, exitCode);
        // Begun work runs on the thread pool: give it the time it would have had.
        await Task.Delay(200, Ct);
        Assert.Equal(0, warmups.Total);
    }

    [Fact]
    public async Task RunServerless_ValidConfiguration_BeginsTheConnectsBeforeAnyHostedServiceStarts()
    {
        var began = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        FirstHostedService? observer = null;
        await using var app = Build(valid: true, services =>
        {
            // Registered before the warmup: the host calls its StartingAsync first, and it waits for
            // the connect to have begun, which only a start that began it earlier lets it see.
            services.AddSingleton<IHostedService>(provider => observer = new FirstHostedService(began.Task, provider.GetRequiredService<IHostApplicationLifetime>()));
            services.AddStartupWarmup(Signal(began));
        });

        var exitCode = await Task.Run(app.RunServerless, Ct).WaitAsync(Patience * 2, Ct);

        Assert.Equal(0, exitCode);
        Assert.True(observer?.SawTheConnectBegun, "the warmup ran before the first hosted service's StartingAsync returned");
    }

    [Fact]
    public async Task Begin_CalledAgainByTheHostsStart_RunsEachWarmupOnce()
    {
        var runs = new Runs();
        await using var app = Build(valid: true, services => services.AddStartupWarmup(runs.Count));

        app.Services.GetRequiredService<StartupWarmups>().Begin();
        app.Services.GetRequiredService<StartupWarmups>().Begin();
        await app.StartAsync(Ct);
        await Task.Delay(200, Ct);
        await app.StopAsync(Ct);

        Assert.Equal(1, runs.Total);
    }

    [Fact]
    public async Task HostStartedWithoutRunServerless_StillBeginsTheConnectsAsItStarts()
    {
        var began = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = Build(valid: true, services => services.AddStartupWarmup(Signal(began)));

        await app.StartAsync(Ct);
        await began.Task.WaitAsync(Patience, Ct);
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task AFailingWarmup_NeitherFailsTheStartNorStopsTheOthers()
    {
        var began = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = Build(valid: true, services => services
            .AddStartupWarmup(_ => throw new InvalidOperationException("connect failed"))
            .AddStartupWarmup(_ => Task.FromException(new InvalidOperationException("connect failed later")))
            .AddStartupWarmup(Signal(began)));

        await app.StartAsync(Ct);
        await began.Task.WaitAsync(Patience, Ct);
        await app.StopAsync(Ct);
    }

    private static WebApplication Build(bool valid, Action<IServiceCollection> register)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serverless:Environment"] = "dev",
            ["Urls"] = "http://127.0.0.1:0",
            ["Probe:Value"] = valid ? "set" : null,
        });
        builder.AddServiceDefaults("startup-warmup-test");
        builder.Services.AddOptions<ProbeOptions>().Bind(builder.Configuration.GetSection("Probe"))
            .ValidateRules(probe => string.IsNullOrEmpty(probe.Value) ? ["Probe:Value is required"] : []);
        register(builder.Services);
        return builder.Build();
    }

    private static Func<IServiceProvider, Task> Signal(TaskCompletionSource began) => _ =>
    {
        began.TrySetResult();
        return Task.CompletedTask;
    };

    /// <summary>How often a warmup ran.</summary>
    private sealed class Runs
    {
        private int total;

        public int Total => Volatile.Read(ref total);

        public Task Count(IServiceProvider provider)
        {
            Interlocked.Increment(ref total);
            return Task.CompletedTask;
        }
    }

    internal sealed class ProbeOptions
    {
        public string? Value { get; set; }
    }

    /// <summary>Waits in StartingAsync for the warmup to have begun; stops the application once started.</summary>
    private sealed class FirstHostedService(Task began, IHostApplicationLifetime lifetime) : IHostedLifecycleService
    {
        public bool SawTheConnectBegun { get; private set; }

        public async Task StartingAsync(CancellationToken cancellationToken)
        {
            SawTheConnectBegun = await Task.WhenAny(began, Task.Delay(Patience, cancellationToken)) == began;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken)
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        }

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

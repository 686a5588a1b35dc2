using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Serverless.Platform.Hosting;

public static class HostRunner
{
    /// <summary>Exit code of a process that refused to start because of its configuration.</summary>
    public const int InvalidConfigurationExitCode = 2;

    /// <summary>
    /// Runs the host, its options validated and its dependencies' connects begun first
    /// (<see cref="PrepareStart"/>); if its configuration is invalid, prints every problem on its own
    /// line and returns <see cref="InvalidConfigurationExitCode"/> instead of a stack trace.
    /// </summary>
    public static int RunServerless(this WebApplication app)
    {
        var name = app.Environment.ApplicationName;
        try
        {
            PrepareStart(app);
            app.Run();
            return 0;
        }
        catch (Exception e) when (ConfigurationErrors(e) is { Count: > 0 } errors)
        {
            Console.Error.WriteLine($"{name}: invalid configuration, refusing to start:");
            foreach (var error in errors.Distinct(StringComparer.Ordinal))
            {
                Console.Error.WriteLine($"  - {error}");
            }

            return InvalidConfigurationExitCode;
        }
    }

    /// <summary>
    /// What the host's start does first, on two threads instead of one: options validation (which
    /// binds every validated option) on the thread pool while this thread constructs the hosted
    /// services; the start then finds both done. Once the configuration is known to be valid, the
    /// dependencies' connects begin (<see cref="StartupWarmups"/>), before the server starts.
    /// </summary>
    private static void PrepareStart(WebApplication app)
    {
        var validation = Task.Run(() => app.Services.GetService<IStartupValidator>()?.Validate());
        try
        {
            _ = app.Services.GetServices<IHostedService>().ToList();
        }
        finally
        {
            // Validation's verdict first: a hosted service that read invalid options failed for that reason.
            validation.GetAwaiter().GetResult();
        }

        app.Services.GetService<StartupWarmups>()?.Begin();
    }

    public static IReadOnlyList<string> ConfigurationErrors(Exception exception) => exception switch
    {
        OptionsValidationException validation => validation.Failures.ToList(),
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(ConfigurationErrors).ToList(),
        _ => [],
    };
}

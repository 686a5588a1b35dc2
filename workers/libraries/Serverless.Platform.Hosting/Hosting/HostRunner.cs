using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace Serverless.Platform.Hosting;

public static class HostRunner
{
    /// <summary>Exit code of a process that refused to start because of its configuration.</summary>
    public const int InvalidConfigurationExitCode = 2;

    /// <summary>
    /// Runs the host; if its configuration is invalid, prints every problem on its own line and
    /// returns <see cref="InvalidConfigurationExitCode"/> instead of a stack trace.
    /// </summary>
    public static int RunServerless(this WebApplication app)
    {
        var name = app.Environment.ApplicationName;
        try
        {
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

    public static IReadOnlyList<string> ConfigurationErrors(Exception exception) => exception switch
    {
        OptionsValidationException validation => validation.Failures.ToList(),
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(ConfigurationErrors).ToList(),
        _ => [],
    };
}

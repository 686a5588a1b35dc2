using Microsoft.Extensions.Options;
using Serverless.Orders.ReadModel;
using Serverless.Platform.Hosting;

namespace Serverless.Consumers.ReadModel;

/// <summary>
/// <c>Serverless.Consumers rebuild-read-model</c>: restores the order read model in the state store
/// from PostgreSQL once and exits (0 done, 1 failed, 2 invalid configuration). Run it with the
/// projection's configuration, e.g. as a Kubernetes Job after a Redis loss.
/// </summary>
public static class ReadModelRebuildCommand
{
    public const string Verb = "rebuild-read-model";

    public static bool IsRequested(string[] args) => args.Contains(Verb, StringComparer.Ordinal);

    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (Exception e) when (HostRunner.ConfigurationErrors(e) is { Count: > 0 } errors)
        {
            await Console.Error.WriteLineAsync($"{Verb}: invalid configuration:");
            foreach (var error in errors.Distinct(StringComparer.Ordinal))
            {
                await Console.Error.WriteLineAsync($"  - {error}");
            }

            return HostRunner.InvalidConfigurationExitCode;
        }

        var rebuilder = app.Services.GetService<OrderReadModelRebuilder>();
        if (rebuilder is null)
        {
            await Console.Error.WriteLineAsync($"{Verb}: the order read model is not configured here (set Consumer:Handler=projection).");
            return HostRunner.InvalidConfigurationExitCode;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            var count = await rebuilder.RebuildAsync(stop.Token);
            await Console.Out.WriteLineAsync($"{Verb}: restored {count} orders from PostgreSQL into the state store.");
            return 0;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"{Verb}: failed: {e.Message}");
            return 1;
        }
    }
}

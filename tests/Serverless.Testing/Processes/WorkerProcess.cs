using Serverless.Local.Processes;

namespace Serverless.Testing.Processes;

/// <summary>The real worker executable, polling some task queues of the dev environment, started as a child process.</summary>
public static class WorkerProcess
{
    /// <summary>
    /// Starts a worker for <paramref name="poll"/> and returns once it reports ready (Temporal connected, queues polled).
    /// <paramref name="settings"/> (environment variables) are added last.
    /// </summary>
    public static async Task<ManagedProcess> StartAsync(
        string temporalAddress, string temporalNamespace, SimulatorHost simulators, string redis, string poll, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Serverless__Environment"] = "dev",
            ["Temporal__Address"] = temporalAddress,
            ["Temporal__Namespace"] = temporalNamespace,
            ["Workers__Poll"] = poll,
            // Every pool renews its in-flight lease here; the orders queue also publishes its domain events.
            ["Redis__Configuration"] = redis,
            ["Integrations__PaymentGateway__BaseAddress"] = simulators.PaymentsBase.ToString(),
            ["Integrations__Inventory__BaseAddress"] = simulators.InventoryBase.ToString(),
            ["Shutdown__Budget"] = "00:00:10",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var worker = ManagedProcess.StartDotnet($"worker {poll}", RepoPaths.Deployables.Workers, environment);
        try
        {
            var address = await worker.ListeningAsync(TimeSpan.FromSeconds(30), Xunit.TestContext.Current.CancellationToken);
            using var http = new HttpClient { BaseAddress = address };
            await Eventually.TrueAsync(
                async () => (await http.GetAsync(new Uri("health/ready", UriKind.Relative), Xunit.TestContext.Current.CancellationToken)).IsSuccessStatusCode,
                TimeSpan.FromSeconds(30),
                $"worker for {poll} never became ready:\n{worker.Output}");
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }
}

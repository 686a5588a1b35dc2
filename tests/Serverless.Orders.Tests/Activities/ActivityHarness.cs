using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Orders.Integrations;
using Serverless.Testing;
using Temporalio.Testing;

namespace Serverless.Orders.Tests.Activities;

/// <summary>
/// Real activity classes, wired as the worker wires them (typed clients with resilience), calling
/// the simulators over loopback HTTP; run inside <see cref="ActivityEnvironment"/>.
/// </summary>
internal sealed class ActivityHarness : IAsyncDisposable
{
    private readonly ServiceProvider services;

    private ActivityHarness(SimulatorHost simulators, ServiceProvider services)
    {
        Simulators = simulators;
        this.services = services;
    }

    public SimulatorHost Simulators { get; }

    public List<object?[]> Heartbeats { get; } = [];

    public static async Task<ActivityHarness> StartAsync(
        IReadOnlyDictionary<string, string?>? simulatorSettings = null, int maxRetries = 0)
    {
        var simulators = await SimulatorHost.StartAsync(simulatorSettings, cancellationToken: TestContext.Current.CancellationToken);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{PaymentGatewayOptions.Section}:BaseAddress"] = simulators.PaymentsBase.ToString(),
            [$"{PaymentGatewayOptions.Section}:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"{PaymentGatewayOptions.Section}:AttemptTimeout"] = "00:00:05",
            [$"{PaymentGatewayOptions.Section}:TotalTimeout"] = "00:00:20",
            [$"{InventoryServiceOptions.Section}:BaseAddress"] = simulators.InventoryBase.ToString(),
            [$"{InventoryServiceOptions.Section}:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"{InventoryServiceOptions.Section}:AttemptTimeout"] = "00:00:05",
            [$"{InventoryServiceOptions.Section}:TotalTimeout"] = "00:00:20",
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddOrderIntegrations(configuration)
            .AddTransient<Orders.Activities.PaymentActivities>()
            .AddTransient<Orders.Activities.InventoryActivities>()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        return new ActivityHarness(simulators, services);
    }

    public T Activities<T>()
        where T : notnull => services.GetRequiredService<T>();

    /// <summary>An activity environment as a worker would give it: workflow id, heartbeat timeout, recorded heartbeats.</summary>
    public ActivityEnvironment Environment(string workflowId, TimeSpan? heartbeatTimeout = null) => new()
    {
        Info = ActivityEnvironment.DefaultInfo with
        {
            WorkflowId = workflowId,
            HeartbeatTimeout = heartbeatTimeout ?? TimeSpan.FromSeconds(10),
        },
        Heartbeater = details => Heartbeats.Add(details),
    };

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await Simulators.DisposeAsync();
    }
}

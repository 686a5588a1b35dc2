using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Orders.Activities;
using Serverless.Orders.Contracts;
using Serverless.Orders.Integrations;
using Serverless.Orders.Workflows;
using Serverless.Testing;
using Temporalio.Client;
using Temporalio.Extensions.Hosting;
using Temporalio.Worker;

namespace Serverless.Functions.Tests.Live;

/// <summary>
/// The real order workflow and activities polling the dev environment's task queues in this process,
/// with the activities calling the simulators over loopback HTTP.
/// </summary>
internal sealed class InProcessOrderWorkers : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly List<TemporalWorker> workers;
    private readonly CancellationTokenSource stop = new();
    private readonly Task running;

    private InProcessOrderWorkers(ServiceProvider services, List<TemporalWorker> workers)
    {
        this.services = services;
        this.workers = workers;
        running = Task.WhenAll(workers.Select(w => w.ExecuteAsync(stop.Token)));
    }

    public static InProcessOrderWorkers Start(ITemporalClient client, SimulatorHost simulators)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Integrations:PaymentGateway:BaseAddress"] = simulators.PaymentsBase.ToString(),
            ["Integrations:Inventory:BaseAddress"] = simulators.InventoryBase.ToString(),
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddOrderIntegrations(configuration)
            .AddScoped<PaymentActivities>()
            .AddScoped<InventoryActivities>()
            .BuildServiceProvider();

        var orders = new TemporalWorkerOptions(TaskQueueNames.For("dev", TaskQueueNames.Orders)).AddWorkflow<OrderWorkflow>();
        var payments = new TemporalWorkerOptions(TaskQueueNames.For("dev", TaskQueueNames.Payments));
        foreach (var activity in services.CreateTemporalActivityDefinitions<PaymentActivities>())
        {
            payments.AddActivity(activity);
        }

        var inventory = new TemporalWorkerOptions(TaskQueueNames.For("dev", TaskQueueNames.Inventory));
        foreach (var activity in services.CreateTemporalActivityDefinitions<InventoryActivities>())
        {
            inventory.AddActivity(activity);
        }

        return new InProcessOrderWorkers(services, [.. new[] { orders, payments, inventory }.Select(o => new TemporalWorker(client, o))]);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
            // Cancelling the token is how a worker is told to stop.
        }

        workers.ForEach(w => w.Dispose());
        await services.DisposeAsync();
        stop.Dispose();
    }
}

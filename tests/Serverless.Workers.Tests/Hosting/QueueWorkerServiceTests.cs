using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Platform.Hosting;
using Serverless.Workers.Hosting;

namespace Serverless.Workers.Tests.Hosting;

public sealed class QueueWorkerServiceTests
{
    [Fact]
    public async Task AddOrderWorkers_PaymentsPool_PollsEnvironmentQueueWithTuningAndDrainTimeout()
    {
        await using var app = Build(new Dictionary<string, string?>
        {
            ["Workers:Poll"] = "payments",
            ["Workers:Queues:payments:MaxConcurrentActivities"] = "7",
            ["Workers:Queues:payments:MaxConcurrentActivityTaskPolls"] = "3",
            ["Shutdown:Budget"] = "00:01:00",
            ["Shutdown:CleanupReserve"] = "00:00:10",
        });

        var options = Assert.Single(app.Services.GetServices<IHostedService>().OfType<QueueWorkerService>()).BuildWorkerOptions();

        Assert.Equal("dev-payments", options.TaskQueue);
        Assert.Equal(7, options.MaxConcurrentActivities);
        Assert.Equal(3, options.MaxConcurrentActivityTaskPolls);
        // Temporal's default is zero: in-flight activities would be cancelled at once on SIGTERM.
        Assert.Equal(TimeSpan.FromSeconds(50), options.GracefulShutdownTimeout);
        Assert.Equal(["ChargePayment", "RefundPayment"], options.Activities.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Empty(options.Workflows);
    }

    [Fact]
    public async Task AddOrderWorkers_AllQueues_OneWorkerPerQueue()
    {
        await using var app = Build(new Dictionary<string, string?> { ["Workers:Poll"] = "orders,payments,inventory" });

        var plans = app.Services.GetServices<IHostedService>().OfType<QueueWorkerService>().Select(s => s.BuildWorkerOptions()).ToList();

        Assert.Equal(["dev-inventory", "dev-orders", "dev-payments"], plans.Select(p => p.TaskQueue).Order(StringComparer.Ordinal));
        var orders = Assert.Single(plans, p => p.TaskQueue == "dev-orders");
        Assert.Equal("OrderWorkflow", Assert.Single(orders.Workflows).Name);
        Assert.Equal(
            ["ConfirmReservation", "ReleaseInventory", "ReserveInventory"],
            Assert.Single(plans, p => p.TaskQueue == "dev-inventory").Activities.Select(a => a.Name).Order(StringComparer.Ordinal));
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serverless:Environment"] = "dev",
            ["Temporal:Address"] = "127.0.0.1:7233",
            ["Integrations:PaymentGateway:BaseAddress"] = "http://127.0.0.1:5080/payments/",
            ["Integrations:Inventory:BaseAddress"] = "http://127.0.0.1:5080/inventory/",
            // Polling orders publishes events (Redis needed). Stated here: the appsettings.json in the test output
            // is the workers' or the simulators' depending on copy order (both projects are referenced).
            ["Redis:Configuration"] = "127.0.0.1:6379",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults("test");
        builder.AddOrderWorkers();
        return builder.Build();
    }
}

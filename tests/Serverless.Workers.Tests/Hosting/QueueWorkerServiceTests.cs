using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Platform.Hosting;
using Serverless.Workers.Hosting;
using Serverless.Workers.InFlight;
using Temporalio.Worker.Tuning;

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
        var tuner = Assert.IsType<WorkerTuner>(options.Tuner);
        Assert.Equal(7, Assert.IsType<CountingSlotSupplier>(tuner.ActivityTaskSlotSupplier).Capacity);
        Assert.Equal(50, Assert.IsType<CountingSlotSupplier>(tuner.WorkflowTaskSlotSupplier).Capacity);
        // The SDK refuses MaxConcurrent* next to a tuner: the tuner carries them.
        Assert.Null(options.MaxConcurrentActivities);
        Assert.Null(options.MaxConcurrentWorkflowTasks);
        Assert.Null(options.MaxConcurrentLocalActivities);
        Assert.Equal(3, options.MaxConcurrentActivityTaskPolls);
        // Temporal's default is zero: in-flight activities would be cancelled at once on SIGTERM.
        Assert.Equal(TimeSpan.FromSeconds(50), options.GracefulShutdownTimeout);
        Assert.Equal(["ChargePayment", "RefundPayment"], options.Activities.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Empty(options.Workflows);
    }

    [Fact]
    public async Task AddOrderWorkers_PaymentsPool_TunerCountsTheSlotsItsLeaseReports()
    {
        await using var app = Build(new Dictionary<string, string?>
        {
            ["Workers:Poll"] = "payments",
            ["Workers:Queues:payments:MaxConcurrentActivities"] = "7",
        });

        var options = Assert.Single(app.Services.GetServices<IHostedService>().OfType<QueueWorkerService>()).BuildWorkerOptions();
        var slots = Assert.Single(app.Services.GetServices<QueueSlots>());
        var activities = (CountingSlotSupplier)options.Tuner!.ActivityTaskSlotSupplier;
        var permit = await activities.ReserveSlotAsync(
            new SlotReserveContext(SlotType.Activity, "dev-payments", "w", "b", IsSticky: false), TestContext.Current.CancellationToken);
        activities.MarkSlotUsed(new SlotMarkUsedContext(new SlotInfo.ActivitySlotInfo("ChargePayment"), permit));

        Assert.Equal("dev-payments", slots.TaskQueue);
        // An activity pool registers no workflow, so it offers no workflow slots.
        Assert.Equal(new Platform.Redis.WorkerSlots(0, 0, 1, 7), slots.Snapshot());
        Assert.Single(app.Services.GetServices<IHostedService>().OfType<InFlightLeasePublisher>());
    }

    [Fact]
    public async Task AddOrderWorkers_OrdersPool_RunsEventPublishingLocallyAndServesPrePatchOrders()
    {
        await using var app = Build(new Dictionary<string, string?> { ["Workers:Poll"] = "orders" });

        var options = Assert.Single(app.Services.GetServices<IHostedService>().OfType<QueueWorkerService>()).BuildWorkerOptions();

        Assert.Equal("OrderWorkflow", Assert.Single(options.Workflows).Name);
        // Registered once: run as local activities by new orders, polled as activity tasks for the
        // orders started before the events patch.
        Assert.Equal("PublishOrderEvent", Assert.Single(options.Activities).Name);
        Assert.False(options.LocalActivityWorkerOnly);
        Assert.IsType<FixedSizeSlotSupplier>(Assert.IsType<WorkerTuner>(options.Tuner).LocalActivitySlotSupplier);
    }

    [Fact]
    public async Task AddOrderWorkers_PaymentsPoolWithoutRedis_RefusesToStart()
    {
        await using var app = Build(new Dictionary<string, string?>
        {
            ["Workers:Poll"] = "payments",
            ["Redis:Configuration"] = "",
        });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Redis:Configuration must name the Redis server (host:port[,password=...]).", HostRunner.ConfigurationErrors(error));
    }

    [Fact]
    public async Task AddOrderWorkers_AllQueues_OneWorkerPerQueue()
    {
        await using var app = Build(new Dictionary<string, string?> { ["Workers:Poll"] = "orders,payments,inventory" });

        var plans = app.Services.GetServices<IHostedService>().OfType<QueueWorkerService>().Select(s => s.BuildWorkerOptions()).ToList();

        Assert.Equal(["dev-inventory", "dev-orders", "dev-payments"], plans.Select(p => p.TaskQueue).Order(StringComparer.Ordinal));
        Assert.Equal(["dev-inventory", "dev-orders", "dev-payments"], app.Services.GetServices<QueueSlots>().Select(s => s.TaskQueue).Order(StringComparer.Ordinal));
        var orders = Assert.Single(plans, p => p.TaskQueue == "dev-orders");
        Assert.Equal("OrderWorkflow", Assert.Single(orders.Workflows).Name);
        Assert.False(Assert.Single(plans, p => p.TaskQueue == "dev-payments").LocalActivityWorkerOnly);
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
            // Every pool renews its in-flight lease in Redis. Stated here: the appsettings.json in the test output
            // is the workers' or the simulators' depending on copy order (both projects are referenced).
            ["Redis:Configuration"] = "127.0.0.1:6379",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults("test");
        builder.AddOrderWorkers();
        return builder.Build();
    }
}

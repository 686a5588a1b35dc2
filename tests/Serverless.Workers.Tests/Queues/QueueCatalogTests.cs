using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Catalog;
using Serverless.Orders;
using Serverless.Orders.Activities;
using Serverless.Orders.Workflows;
using Serverless.Platform.Environments;
using Serverless.Workers.Queues;

namespace Serverless.Workers.Tests.Queues;

/// <summary>
/// The worker's type binding (<see cref="QueueCatalog"/>) against the activity-queue catalog
/// (<see cref="ActivityQueues"/>): the same queues, each polling the task types its entry says, and a
/// worker configured by an entry's own settings polls that queue alone with the entry's slots.
/// </summary>
public sealed class QueueCatalogTests
{
    private static readonly ServerlessEnvironmentOptions Dev = new() { Environment = "dev" };

    public static TheoryData<string> CatalogQueues => [.. ActivityQueues.All.Select(q => q.Name)];

    private static ActivityQueue Entry(string name) => ActivityQueues.All.Single(q => q.Name == name);

    [Fact]
    public void EveryCatalogQueue_HasABinding_AndEveryBindingACatalogQueue() =>
        Assert.Equal(ActivityQueues.All.Select(q => q.Name).Order(StringComparer.Ordinal), QueueCatalog.Queues.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(CatalogQueues))]
    public void Binding_HostsTheTaskTypesItsEntryPolls(string name)
    {
        var entry = Entry(name);
        var binding = QueueCatalog.Queues[name];

        Assert.Equal(entry.Polls.HasFlag(TaskTypes.Workflow), binding.Workflows.Count > 0);
        Assert.Equal(entry.Polls.HasFlag(TaskTypes.Activity), binding.Activities.Count > 0);
    }

    [Theory]
    [MemberData(nameof(CatalogQueues))]
    public void EntrySettings_ConfigureAWorkerPollingOnlyThatQueueWithTheEntrysSlots(string name)
    {
        // Slots no default has, so a setting the worker does not bind cannot pass unnoticed.
        var entry = Entry(name) with { SlotsPerReplica = 7 };
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(entry.Settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();

        var options = configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>()!;

        Assert.Equal([name], options.PolledQueues);
        var tuning = options.TuningFor(name);
        Assert.Equal(7, entry.Polls.HasFlag(TaskTypes.Workflow) ? tuning.MaxConcurrentWorkflowTasks : tuning.MaxConcurrentActivities);
        Assert.Empty(WorkerOptionsRules.Validate(options, Dev));
    }

    /// <summary>The shipped classes land where they declare (a queue added later adds rows, it changes none of these).</summary>
    [Theory]
    [InlineData("orders", typeof(OrderWorkflow), "workflow")]
    [InlineData("orders", typeof(OrderEventActivities), "activity")]
    [InlineData("orders", typeof(OrderEventActivities), "local")]
    [InlineData("payments", typeof(PaymentActivities), "activity")]
    [InlineData("inventory", typeof(InventoryActivities), "activity")]
    public void Binding_HasTheClassThatDeclaresTheQueue(string queue, Type type, string role)
    {
        var binding = QueueCatalog.Queues[queue];

        Assert.Contains(type, role switch { "workflow" => binding.Workflows, "activity" => binding.Activities, _ => binding.LocalActivities });
    }

    [Fact]
    public void Bindings_EveryClassOnOneQueue_OnlyOrderEventsAlsoLocal()
    {
        var polled = QueueCatalog.Queues.Values.SelectMany(q => q.Workflows.Concat(q.Activities)).ToList();

        Assert.Equal(polled.Count, polled.Distinct().Count());
        Assert.Equal([typeof(OrderEventActivities)], QueueCatalog.Queues.Values.SelectMany(q => q.LocalActivities));
    }

    [Fact]
    public void Bind_ClassOnAQueueTheCatalogLacks_RefusedWithTheClassAndTheQueue()
    {
        var refusal = Assert.Throws<InvalidOperationException>(() => QueueCatalog.Bind(ActivityQueues.All, typeof(StrayActivities).Assembly));

        Assert.Contains("StrayActivities runs on 'nowhere'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(ActivityQueues.SourceFile, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_CatalogQueueNoClassDeclares_HasAnEmptyBinding()
    {
        var orphan = new ActivityQueue("orphan", "orphan-worker", TaskTypes.Activity, SlotsPerReplica: 1);

        var bindings = QueueCatalog.Bind([orphan, new ActivityQueue("nowhere", "nowhere-worker", TaskTypes.Activity, SlotsPerReplica: 1)], typeof(StrayActivities).Assembly);

        Assert.Equal((0, 0), (bindings["orphan"].Workflows.Count, bindings["orphan"].Activities.Count));
        Assert.Equal([typeof(StrayActivities)], bindings["nowhere"].Activities);
    }

    [Fact]
    public void WorkerOptions_Unset_PollsEveryCatalogQueue() =>
        Assert.Equal(ActivityQueues.All.Select(q => q.Name), new WorkerOptions().PolledQueues);

    [Fact]
    public void AddOrderWorkers_RegistersEveryActivityClassOfTheBinding()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Serverless:Environment"] = "dev", ["Workers:Poll"] = "payments" });

        builder.AddOrderWorkers();

        Assert.NotEmpty(QueueCatalog.ActivityTypes);
        Assert.All(QueueCatalog.ActivityTypes, activities =>
            Assert.Contains(builder.Services, d => d.ServiceType == activities && d.Lifetime == ServiceLifetime.Scoped));
        Assert.All(QueueCatalog.Queues.Values.SelectMany(q => q.Activities.Concat(q.LocalActivities)), activities =>
            Assert.Contains(activities, QueueCatalog.ActivityTypes));
    }
}

/// <summary>An activity class declaring a queue the shipped catalog does not have.</summary>
public sealed class StrayActivities : IRunsOn
{
    public static ActivityQueue Queue { get; } = new("nowhere", "nowhere-worker", TaskTypes.Activity, SlotsPerReplica: 1);
}

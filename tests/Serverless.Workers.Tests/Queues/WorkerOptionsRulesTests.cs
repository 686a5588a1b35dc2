using Serverless.Platform.Environments;
using Serverless.Workers.Queues;

namespace Serverless.Workers.Tests.Queues;

public sealed class WorkerOptionsRulesTests
{
    private static readonly ServerlessEnvironmentOptions Dev = new() { Environment = "dev" };

    [Fact]
    public void Validate_AllQueuesWithDefaults_HasNoErrors()
    {
        Assert.Empty(WorkerOptionsRules.Validate(new WorkerOptions { Poll = "orders, payments,inventory" }, Dev));
    }

    [Fact]
    public void Validate_NothingPolled_SaysWhichQueuesExist()
    {
        var error = Assert.Single(WorkerOptionsRules.Validate(new WorkerOptions { Poll = " , " }, Dev));
        Assert.Contains("Workers:Poll names no task queue", error, StringComparison.Ordinal);
        Assert.Contains("orders, payments, inventory", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownAndDuplicateQueues_ReportsEach()
    {
        var errors = WorkerOptionsRules.Validate(new WorkerOptions { Poll = "payments,nosuchqueue,payments" }, Dev).ToList();

        Assert.Contains(errors, e => e.Contains("unknown task queue 'nosuchqueue'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("names 'payments' 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_QueueOfAnotherEnvironment_RefusesToStart()
    {
        var errors = WorkerOptionsRules.Validate(new WorkerOptions { Poll = "prod-payments" }, Dev).ToList();

        Assert.Contains(errors, e => e.Contains("belongs to environment 'prod'", StringComparison.Ordinal)
                                     && e.Contains("Refusing to start", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(QueueOptions.MaxConcurrentActivities), 0)]
    [InlineData(nameof(QueueOptions.MaxConcurrentActivities), -5)]
    [InlineData(nameof(QueueOptions.MaxConcurrentWorkflowTasks), 0)]
    [InlineData(nameof(QueueOptions.MaxConcurrentActivityTaskPolls), 0)]
    [InlineData(nameof(QueueOptions.MaxConcurrentWorkflowTaskPolls), 20_000)]
    public void Validate_ConcurrencyOutOfRange_NamesTheSetting(string setting, int value)
    {
        var tuning = new QueueOptions();
        typeof(QueueOptions).GetProperty(setting)!.SetValue(tuning, value);
        var options = new WorkerOptions { Poll = "payments", Queues = { ["payments"] = tuning } };

        var errors = WorkerOptionsRules.Validate(options, Dev).ToList();

        Assert.Contains(errors, e => e.StartsWith($"Workers:Queues:payments:{setting} must be between 1 and 10000; got {value}", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MorePollersThanSlots_Explains()
    {
        var options = new WorkerOptions
        {
            Poll = "payments",
            Queues = { ["payments"] = new QueueOptions { MaxConcurrentActivities = 2, MaxConcurrentActivityTaskPolls = 5 } },
        };

        var error = Assert.Single(WorkerOptionsRules.Validate(options, Dev));
        Assert.Contains("pollers would hold tasks with no slot", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TuningForUnknownQueue_IsATypo()
    {
        var options = new WorkerOptions { Poll = "payments", Queues = { ["paymnets"] = new QueueOptions() } };

        var error = Assert.Single(WorkerOptionsRules.Validate(options, Dev));
        Assert.Contains("Workers:Queues:paymnets tunes an unknown task queue", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ActivitiesThatRunElsewhere_AreRejected()
    {
        var options = new WorkerOptions
        {
            Poll = "inventory",
            Queues = { ["inventory"] = new QueueOptions { Activities = ["PaymentActivities"] } },
        };

        var errors = WorkerOptionsRules.Validate(options, Dev).ToList();

        Assert.Contains(errors, e => e.Contains("'PaymentActivities', which does not run on queue 'inventory' (it hosts: InventoryActivities)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("selects no workflow and no activity", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_StickyCacheWithOneWorkflowPoller_IsRejected()
    {
        var options = new WorkerOptions
        {
            Poll = "orders",
            Queues = { ["orders"] = new QueueOptions { MaxConcurrentWorkflowTaskPolls = 1 } },
        };

        var error = Assert.Single(WorkerOptionsRules.Validate(options, Dev));
        Assert.Contains("at least 2 while MaxCachedWorkflows > 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SelectActivities_Subset_RegistersOnlyNamed()
    {
        var definition = QueueCatalog.Queues["payments"];

        Assert.Equal(definition.Activities, WorkerOptionsRules.SelectActivities(definition, new QueueOptions()));
        Assert.Empty(WorkerOptionsRules.SelectActivities(definition, new QueueOptions { Activities = [] }));
    }
}

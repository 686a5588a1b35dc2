using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Naming;
using Serverless.Orders.Activities;
using Serverless.Orders.Contracts;
using Serverless.Orders.Events;
using Serverless.Platform.Correlation;
using Serverless.Platform.Environments;
using Serverless.Platform.Messaging;
using Serverless.Testing.Fixtures;
using Temporalio.Testing;

namespace Serverless.Orders.Tests.Activities;

/// <summary>The publishing activity against a real Redis: what a workflow's event looks like on the stream.</summary>
public sealed class OrderEventActivitiesTests(SharedRedis shared)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_RetriedTwice_SameDeterministicIdWithCorrelationAndSnapshot()
    {
        var address = shared.Address;
        var topicEnvironment = "dev";
        var workflowId = $"ord-{Guid.NewGuid():N}";
        await using var services = Services(address, topicEnvironment);
        var activities = new OrderEventActivities(services.GetRequiredService<IEventPublisher>());
        var snapshot = new OrderSnapshot(workflowId, "cust-9", OrderStatus.Received, 12m, "EUR", null, [], 1, DateTimeOffset.UnixEpoch);
        var environment = new ActivityEnvironment { Info = ActivityEnvironment.DefaultInfo with { WorkflowId = workflowId } };
        var redis = await shared.ConnectAsync();
        var stream = ResourceNames.For(topicEnvironment, TopicNames.Orders);
        var before = (await redis.GetDatabase().StreamRangeAsync(stream, "-", "+")).Length;

        CorrelationId.Current = "corr-activity";
        // A retried activity publishes again: consumers must see the same event id both times.
        await environment.RunAsync(() => activities.PublishOrderEventAsync(new PublishOrderEventRequest(OrderEventTypes.OrderPlaced, snapshot)));
        await environment.RunAsync(() => activities.PublishOrderEventAsync(new PublishOrderEventRequest(OrderEventTypes.OrderPlaced, snapshot)));

        var published = (await redis.GetDatabase().StreamRangeAsync(stream, "-", "+"))
            .Skip(before)
            .Select(e => JsonDocument.Parse((string)e.Values.Single(v => v.Name == "data").Value!).RootElement)
            .Where(e => e.GetProperty("subject").GetString() == workflowId)
            .ToList();
        Assert.Equal(2, published.Count);
        Assert.All(published, e =>
        {
            Assert.Equal($"{workflowId}:OrderPlaced", e.GetProperty("id").GetString());
            Assert.Equal(OrderEventTypes.OrderPlaced, e.GetProperty("type").GetString());
            Assert.Equal("serverless-workers", e.GetProperty("source").GetString());
            Assert.Equal("corr-activity", e.GetProperty("correlationid").GetString());
            Assert.Equal(1, e.GetProperty("data").GetProperty("sequence").GetInt32());
            Assert.Equal("cust-9", e.GetProperty("data").GetProperty("customerId").GetString());
        });
    }

    private static ServiceProvider Services(string redis, string environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serverless:Environment"] = environment,
                ["Redis:Configuration"] = redis,
                ["Messaging:Source"] = "serverless-workers",
            })
            .Build();
        var services = new ServiceCollection().AddLogging().AddMetrics();
        services.AddServerlessEnvironment(configuration);
        services.AddServerlessEventPublishing(configuration);
        return services.BuildServiceProvider();
    }
}

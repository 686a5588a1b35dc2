using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Catalog;
using Serverless.Consumers.Consuming;
using Serverless.Consumers.Handlers;
using Serverless.Platform.Environments;

namespace Serverless.Consumers.Tests;

/// <summary>
/// The consumer host's handler binding (<see cref="HandlerCatalog"/>) against the stream-consumer catalog:
/// the same handler names, every deployed consumer runs one of them, and a consumer configured by an
/// entry's own settings reads that entry's topic with its group and handler.
/// </summary>
public sealed class HandlerCatalogTests
{
    private static readonly ServerlessEnvironmentOptions Dev = new() { Environment = "dev" };

    public static TheoryData<string> Consumers => [.. StreamConsumers.All.Select(c => c.Name)];

    [Fact]
    public void EveryCatalogHandler_HasARegistration_AndEveryRegistrationACatalogHandler() =>
        Assert.Equal(StreamHandlers.All.Order(StringComparer.Ordinal), HandlerCatalog.Registrations.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public void Discover_TwoClassesClaimingOneName_RefusedNamingBoth()
    {
        var refusal = Assert.Throws<InvalidOperationException>(() => HandlerCatalog.Discover(typeof(ClashingHandlerA).Assembly));

        Assert.Contains("'clash' is claimed by ClashingHandlerA and ClashingHandlerB", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Consumers))]
    public void EntrySettings_ConfigureAConsumerOfItsTopicGroupAndHandler(string name)
    {
        var entry = StreamConsumers.All.Single(c => c.Name == name);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(entry.Settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();

        var options = configuration.GetSection(ConsumerOptions.Section).Get<ConsumerOptions>()!;

        // A key the host does not bind would be dropped silently: each names a setting of the consumer.
        Assert.All(entry.Settings, s => Assert.NotNull(typeof(ConsumerOptions).GetProperty(s.Key.Replace($"{ConsumerOptions.Section}:", string.Empty, StringComparison.Ordinal))));
        Assert.Contains(entry.Handler, StreamHandlers.All);
        Assert.Equal((entry.Handler, entry.Group), (options.Handler, options.GroupName));
        Assert.Equal([entry.Topic], options.LogicalStreams);
        Assert.Empty(options.Validate(Dev, StreamHandlers.All));
    }
}

/// <summary>Two handlers of the test assembly under one name (only <see cref="HandlerCatalogTests"/> looks for them).</summary>
public sealed class ClashingHandlerA : IStreamHandler
{
    public static string HandlerName => "clash";

    public static void Register(IServiceCollection services, IConfiguration configuration, string group)
    {
    }
}

/// <inheritdoc cref="ClashingHandlerA"/>
public sealed class ClashingHandlerB : IStreamHandler
{
    public static string HandlerName => "clash";

    public static void Register(IServiceCollection services, IConfiguration configuration, string group)
    {
    }
}

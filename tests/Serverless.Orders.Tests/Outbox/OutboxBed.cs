using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Serverless.Orders.Contracts;
using Serverless.Orders.Outbox;
using Serverless.Orders.Workflows;
using Serverless.Outbox.RelayHost;
using Serverless.Platform.Environments;
using Serverless.Platform.Postgres;
using Serverless.Testing.Fixtures;

namespace Serverless.Orders.Tests.Outbox;

/// <summary>
/// An order outbox in a schema of its own on the test run's PostgreSQL, and relays over it: in
/// process (<see cref="StartRelayAsync"/>) or as the relay host executable (<see cref="Settings"/>).
/// </summary>
internal sealed class OutboxBed : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly List<ServiceProvider> relays = [];

    private OutboxBed(string connectionString, string schema)
    {
        ConnectionString = connectionString;
        Schema = schema;
        services = Build(new Dictionary<string, string?>(), starter: null);
        Outbox = services.GetRequiredService<OrderOutbox>();
    }

    public string ConnectionString { get; }

    public string Schema { get; }

    public OrderOutbox Outbox { get; }

    /// <summary>The seam as the relay host process uses it, over the same tables.</summary>
    public RecordingStarter Recorder => services.GetRequiredService<RecordingStarter>();

    /// <summary>A bed in a fresh schema of the run's PostgreSQL (dropped with the shared fixture).</summary>
    public static OutboxBed Create(SharedPostgres postgres) => new(postgres.ConnectionString, postgres.NewSchema("outbox"));

    public static OrderInput NewOrder(int n) =>
        new(OrderStarter.OrderIdFor($"relay-{Guid.NewGuid():N}"), $"cust-{n}", [new OrderLine("SKU-1", 1 + (n % 3), 9.5m)], "EUR", "tok_visa");

    /// <summary>Settings of a relay over this bed (as configuration keys; <c>__</c> for a process environment).</summary>
    public Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Serverless:Environment"] = "dev",
            ["Postgres:ConnectionString"] = ConnectionString,
            ["Postgres:Schema"] = Schema,
            ["Outbox:Relay:Enabled"] = "true",
            ["Outbox:Relay:BatchSize"] = "25",
            ["Outbox:Relay:PollInterval"] = "00:00:00.05",
            ["Outbox:Relay:StartTimeout"] = "00:00:02",
            ["Outbox:Relay:RetryBaseDelay"] = "00:00:00.02",
            ["Outbox:Relay:RetryMaxDelay"] = "00:00:00.2",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Queues <paramref name="count"/> new orders, due for the relay at once.</summary>
    public async Task<IReadOnlyList<OrderInput>> EnqueueAsync(int count)
    {
        var orders = Enumerable.Range(0, count).Select(NewOrder).ToList();
        foreach (var order in orders)
        {
            await Outbox.EnqueueAsync(
                new OutboxOrder(order, $"key-{order.OrderId}", OrderStarter.RequestFingerprint(order), null, "dev"), TimeSpan.Zero, TestContext.Current.CancellationToken);
        }

        return orders;
    }

    /// <summary>Starts a relay in this process whose starts go to <paramref name="starter"/> (the recording seam when null).</summary>
    public async Task StartRelayAsync(IOrderWorkflowStarter? starter = null, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var relay = Build(Settings(overrides), starter);
        relays.Add(relay);
        foreach (var hosted in relay.GetServices<IHostedService>())
        {
            await hosted.StartAsync(TestContext.Current.CancellationToken);
        }
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = Schema }.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Orders whose workflow id the seam started more than once, or never.</summary>
    public Task<long> StartedOtherThanOnceAsync(IEnumerable<OrderInput> orders) =>
        CountAsync($"""
            SELECT count(*) FROM unnest(ARRAY[{string.Join(',', orders.Select(o => $"'{o.OrderId}'"))}]) AS o(id)
            WHERE (SELECT count(*) FROM seam_calls c WHERE c.workflow_id = o.id AND c.outcome = 'started') <> 1
            """);

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in relays)
        {
            foreach (var hosted in relay.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await relay.DisposeAsync();
        }

        await services.DisposeAsync();
    }

    private ServiceProvider Build(Dictionary<string, string?> settings, IOrderWorkflowStarter? starter)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Settings())
            .AddInMemoryCollection(settings)
            .Build();
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddMetrics();
        collection.AddServerlessEnvironment(configuration);
        collection.AddOptions<RecordingStarterOptions>();
        collection.AddServerlessPostgres(configuration);
        collection.AddPostgresMigration(RecordingStarter.Migration);
        collection.AddOrderOutbox(configuration);
        collection.AddSingleton<RecordingStarter>();
        collection.AddSingleton<IOrderWorkflowStarter>(provider => starter ?? provider.GetRequiredService<RecordingStarter>());
        if (settings.Count > 0)
        {
            collection.AddOrderOutboxRelay(configuration);
        }

        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }
}

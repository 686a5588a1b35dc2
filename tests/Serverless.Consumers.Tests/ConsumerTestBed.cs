using Npgsql;
using Serverless.Consumers.Handlers;
using Serverless.Local.Processes;
using Serverless.Naming;
using Serverless.Orders.Contracts;
using Serverless.Orders.Events;
using Serverless.Platform.Json;
using Serverless.Platform.Messaging;
using Serverless.Testing;
using Serverless.Testing.Fixtures;
using StackExchange.Redis;

namespace Serverless.Consumers.Tests;

/// <summary>
/// What one consumer test owns: a PostgreSQL schema (dropped with the shared fixture), a stream and a consumer group of its own (so
/// tests run in parallel), a Redis connection for publishing and inspecting, and the settings to
/// start the consumer process with.
/// </summary>
public sealed class ConsumerTestBed : IAsyncDisposable
{
    private readonly IConnectionMultiplexer redis;
    private readonly bool ownsConnection;

    private ConsumerTestBed(string redisAddress, string postgres, string schema, IConnectionMultiplexer redis, bool ownsConnection, string handler)
    {
        this.redis = redis;
        this.ownsConnection = ownsConnection;
        RedisAddress = redisAddress;
        PostgresConnectionString = postgres;
        Schema = schema;
        Topic = $"t{Guid.NewGuid().ToString("N")[..10]}";
        Handler = handler;
    }

    public string RedisAddress { get; }

    public string PostgresConnectionString { get; }

    public string Schema { get; }

    /// <summary>Logical topic; the stream is <see cref="Stream"/>.</summary>
    public string Topic { get; }

    public string Handler { get; }

    public string Stream => ResourceNames.For("dev", Topic);

    public string Group => Handler;

    public string DeadLetterStream => TopicNames.DeadLetterFor(Stream, Group);

    public IDatabase Redis => redis.GetDatabase();

    /// <summary>A bed on the run's Redis and PostgreSQL (the assembly's shared fixtures).</summary>
    public static async Task<ConsumerTestBed> CreateAsync(SharedRedis redis, SharedPostgres postgres, string handler) =>
        new(redis.Address, postgres.ConnectionString, postgres.NewSchema("t"), await redis.ConnectAsync(), ownsConnection: false, handler);

    /// <summary>A bed on a Redis of the test's own (one it restarts or empties), still on the shared PostgreSQL.</summary>
    public static async Task<ConsumerTestBed> CreateAsync(RedisServer redis, SharedPostgres postgres, string handler) =>
        new(redis.Address, postgres.ConnectionString, postgres.NewSchema("t"), await ConnectionMultiplexer.ConnectAsync($"{redis.Address},abortConnect=false"), ownsConnection: true, handler);

    /// <summary>Settings of a consumer of this bed's stream; <paramref name="overrides"/> win.</summary>
    public Dictionary<string, string> Settings(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Serverless:Environment"] = "dev",
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Serverless"] = "Information",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Redis:Configuration"] = RedisAddress,
            ["Postgres:ConnectionString"] = PostgresConnectionString,
            ["Postgres:Schema"] = Schema,
            ["Postgres:MaxPoolSize"] = "40",
            ["Consumer:Handler"] = Handler,
            ["Consumer:Streams"] = Topic,
            ["Consumer:ProcessingTimeout"] = "00:00:02",
            ["Consumer:MaintenanceInterval"] = "00:00:00.250",
            ["Consumer:RedeliverInterval"] = "00:00:00.250",
            ["Consumer:BlockTime"] = "00:00:00.500",
            ["Shutdown:Budget"] = "00:00:10",
            ["Shutdown:CleanupReserve"] = "00:00:02",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    public ManagedProcess StartConsumer(params (string Key, string Value)[] overrides) => ConsumerProcess.Start(Settings(overrides));

    public static byte[] Event(string id, string type, object data, string? subject = null) =>
        CloudEventFactory.Serialize(new CloudEvent
        {
            Id = id,
            Source = "consumer-tests",
            Type = type,
            Subject = subject,
            Data = System.Text.Json.JsonSerializer.SerializeToElement(data, WireJson.Options),
        });

    public static OrderSnapshot Snapshot(string orderId, OrderStatus status, int sequence, string? reason = null) =>
        new(orderId, "cust-1", status, 42.5m, "EUR", reason, [new OrderStep(OrderSteps.ReserveInventory, StepOutcome.Succeeded, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc))], sequence, new DateTimeOffset(2026, 1, 1, 0, 0, sequence, TimeSpan.Zero));

    /// <summary>Publishes raw entries (field <c>data</c>, as Dapr does), pipelined.</summary>
    public async Task AddAsync(IEnumerable<byte[]> payloads)
    {
        var database = Redis;
        await Task.WhenAll(payloads.Select(p => database.StreamAddAsync(Stream, RedisStreamPublisher.DataField, p)));
    }

    /// <summary>Audit events <c>e-0</c> … <c>e-(count-1)</c>.</summary>
    public Task AddAuditEventsAsync(int count, int from = 0) =>
        AddAsync(Enumerable.Range(from, count).Select(i => Event($"e-{i}", OrderEventTypes.OrderPlaced, new { n = i }, subject: $"s-{i}")));

    /// <summary>Entries delivered to the group and not acknowledged; -1 while the group does not exist yet.</summary>
    public async Task<long> PendingAsync()
    {
        try
        {
            return (await Redis.StreamPendingAsync(Stream, Group)).PendingMessageCount;
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return -1;
        }
    }

    /// <summary>
    /// Every entry of the stream read by the group and acknowledged, from one <c>XINFO GROUPS</c> reply: two
    /// separate reads (pending, then lag) can see "nothing pending" before the first read and "nothing
    /// left" after it, while the entries are still in flight.
    /// </summary>
    public async Task<bool> AllHandledAsync()
    {
        try
        {
            return (await Redis.StreamGroupInfoAsync(Stream)).SingleOrDefault(g => g.Name == Group) is { PendingMessageCount: 0, Lag: 0 };
        }
        catch (RedisServerException e) when (e.Message.StartsWith("ERR no such key", StringComparison.Ordinal))
        {
            return false;
        }
    }

    /// <summary>The group's consumers as <c>XINFO CONSUMERS</c> shows them (name, pending, idle).</summary>
    public async Task<StreamConsumerInfo[]> ConsumersAsync() => await Redis.StreamConsumerInfoAsync(Stream, Group);

    /// <summary>Entries pending under <paramref name="consumer"/>, with their idle times and delivery counts.</summary>
    public async Task<StreamPendingMessageInfo[]> PendingUnderAsync(string consumer) =>
        await Redis.StreamPendingMessagesAsync(Stream, Group, 100_000, consumer);

    public async Task<StreamEntry[]> DeadLettersAsync() => await Redis.StreamRangeAsync(DeadLetterStream);

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A connection with this bed's schema on the search path (the schema is created if needed).</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresConnectionString) { SearchPath = Schema }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {Schema}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>Creates the audit table ahead of the consumer, for tests that constrain or lock it.</summary>
    public async Task CreateAuditTableAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(AuditHandler.Migration.Sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Creates the audit table with a constraint refusing events whose subject is <c>poison</c>: a real,
    /// repeatable failure inside the handler's transaction.
    /// </summary>
    public async Task CreateAuditTableRefusingPoisonAsync(CancellationToken cancellationToken)
    {
        await CreateAuditTableAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var constrain = new NpgsqlCommand("ALTER TABLE event_audit ADD CONSTRAINT no_poison CHECK (subject IS DISTINCT FROM 'poison')", connection);
        await constrain.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Locks the audit table (created if needed) until the returned lock is released: the
    /// consumers' handlers block inside their transactions, in flight, holding their entries pending.
    /// </summary>
    public async Task<AuditTableLock> LockAuditTableAsync(CancellationToken cancellationToken)
    {
        await CreateAuditTableAsync(cancellationToken);
        var connection = await OpenAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE event_audit IN ACCESS EXCLUSIVE MODE", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(cancellationToken);
        }

        return new AuditTableLock(connection, transaction);
    }

    public async ValueTask DisposeAsync()
    {
        var database = Redis;
        await database.KeyDeleteAsync([Stream, DeadLetterStream, $"{Stream}-errors-{Group}", $"{Stream}-leaving-{Group}"]);
        if (ownsConnection)
        {
            await redis.DisposeAsync();
        }
    }
}

/// <summary>An <c>ACCESS EXCLUSIVE</c> lock on the audit table, held until released or disposed.</summary>
public sealed class AuditTableLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
{
    public Task ReleaseAsync(CancellationToken cancellationToken) => transaction.RollbackAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}

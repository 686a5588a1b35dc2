using Npgsql;
using Serverless.Platform.Messaging;

namespace Serverless.Consumers.Handlers;

/// <summary>The event cannot be handled as it is: dead-lettered at once, never retried.</summary>
public sealed class MalformedEventException(string message) : Exception(message);

/// <summary>
/// Reacts to events. The effect in PostgreSQL runs inside the transaction that records the event in
/// the idempotency inbox, so it is applied exactly once; effects elsewhere run after the commit, on
/// every delivery (also duplicates), and must be idempotent themselves.
/// </summary>
public interface IConsumerHandler
{
    /// <summary>Event types this handler knows; any other type is dead-lettered as unknown.</summary>
    IReadOnlySet<string> EventTypes { get; }

    /// <summary>Reads and checks the event's data; throws <see cref="MalformedEventException"/>.</summary>
    object Parse(CloudEvent cloudEvent);

    Task ApplyAsync(CloudEvent cloudEvent, object data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);

    Task AfterCommitAsync(CloudEvent cloudEvent, object data, CancellationToken cancellationToken);
}

/// <summary>An <see cref="IConsumerHandler"/> over typed data.</summary>
public abstract class ConsumerHandler<TData> : IConsumerHandler
    where TData : class
{
    public abstract IReadOnlySet<string> EventTypes { get; }

    public object Parse(CloudEvent cloudEvent) => ParseData(cloudEvent);

    public Task ApplyAsync(CloudEvent cloudEvent, object data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        ApplyAsync(cloudEvent, (TData)data, connection, transaction, cancellationToken);

    public Task AfterCommitAsync(CloudEvent cloudEvent, object data, CancellationToken cancellationToken) =>
        AfterCommitAsync(cloudEvent, (TData)data, cancellationToken);

    protected abstract TData ParseData(CloudEvent cloudEvent);

    protected abstract Task ApplyAsync(CloudEvent cloudEvent, TData data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);

    protected virtual Task AfterCommitAsync(CloudEvent cloudEvent, TData data, CancellationToken cancellationToken) => Task.CompletedTask;
}

using Npgsql;
using Serverless.Platform.Messaging;

namespace Serverless.Consumers.Handlers;

/// <summary>The handler refuses the event as it is: dead-lettered at once, never retried.</summary>
public sealed class MalformedEventException(string message) : Exception(message);

/// <summary>
/// Reacts to events. Any CloudEvent on the topic reaches the handler, ours or an ordinary Dapr
/// app's (platform-semantics §7.5), with the stream entry's publish metadata; the handler decides:
/// its data to apply, nothing (not its business: acknowledged, counted as ignored) or a refusal.
/// The effect in PostgreSQL runs inside the transaction that records the event in the idempotency
/// inbox, so it is applied exactly once; effects elsewhere run after the commit, on every delivery
/// (also duplicates), and must be idempotent themselves.
/// </summary>
public interface IConsumerHandler
{
    /// <summary>The data to apply; null when the event is not this handler's; throws <see cref="MalformedEventException"/> to refuse it.</summary>
    object? Parse(ReceivedEvent received);

    Task ApplyAsync(ReceivedEvent received, object data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);

    Task AfterCommitAsync(ReceivedEvent received, object data, CancellationToken cancellationToken);
}

/// <summary>An <see cref="IConsumerHandler"/> over typed data.</summary>
public abstract class ConsumerHandler<TData> : IConsumerHandler
    where TData : class
{
    public object? Parse(ReceivedEvent received) => ParseData(received);

    public Task ApplyAsync(ReceivedEvent received, object data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        ApplyAsync(received, (TData)data, connection, transaction, cancellationToken);

    public Task AfterCommitAsync(ReceivedEvent received, object data, CancellationToken cancellationToken) =>
        AfterCommitAsync(received, (TData)data, cancellationToken);

    protected abstract TData? ParseData(ReceivedEvent received);

    protected abstract Task ApplyAsync(ReceivedEvent received, TData data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);

    protected virtual Task AfterCommitAsync(ReceivedEvent received, TData data, CancellationToken cancellationToken) => Task.CompletedTask;
}

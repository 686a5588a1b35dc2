using Npgsql;
using Serverless.Platform.Messaging;

namespace Serverless.Consumers.Handlers;

/// <summary>The handler refuses the event as it is: dead-lettered at once, never retried.</summary>
public sealed class MalformedEventException(string message) : Exception(message);

/// <summary>An event the handler accepted, with the data it picked (what <see cref="IConsumerHandler.Parse"/> returned).</summary>
public sealed record HandledEvent(ReceivedEvent Received, object Data);

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

/// <summary>
/// A handler that applies a whole read batch at once (set-based SQL), inside the one transaction
/// that records the batch in the inbox. It gets only the events new to the inbox, in stream order,
/// and must give the same result as applying them one by one in that order. When the batch fails
/// the consumer falls back to <see cref="IConsumerHandler.ApplyAsync"/> per event, so a poison
/// event fails alone.
/// </summary>
public interface IBatchConsumerHandler : IConsumerHandler
{
    Task ApplyBatchAsync(IReadOnlyList<HandledEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);

    /// <summary>The after-commit effects of a batch: every accepted event of it, duplicates included.</summary>
    Task AfterCommitBatchAsync(IReadOnlyList<HandledEvent> events, CancellationToken cancellationToken);
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

/// <summary>
/// An <see cref="IBatchConsumerHandler"/> over typed data: one set-based apply, used for a single
/// event too (a batch of one), so the per-event fallback runs the very same SQL.
/// </summary>
public abstract class BatchConsumerHandler<TData> : ConsumerHandler<TData>, IBatchConsumerHandler
    where TData : class
{
    public Task ApplyBatchAsync(IReadOnlyList<HandledEvent> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        ApplyBatchAsync(Typed(events), connection, transaction, cancellationToken);

    public Task AfterCommitBatchAsync(IReadOnlyList<HandledEvent> events, CancellationToken cancellationToken) =>
        AfterCommitBatchAsync(Typed(events), cancellationToken);

    protected sealed override Task ApplyAsync(ReceivedEvent received, TData data, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        ApplyBatchAsync([(received, data)], connection, transaction, cancellationToken);

    protected sealed override Task AfterCommitAsync(ReceivedEvent received, TData data, CancellationToken cancellationToken) =>
        AfterCommitBatchAsync([(received, data)], cancellationToken);

    /// <summary>Applies <paramref name="events"/> (stream order) as if one by one in that order.</summary>
    protected abstract Task ApplyBatchAsync(IReadOnlyList<(ReceivedEvent Received, TData Data)> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);

    protected virtual Task AfterCommitBatchAsync(IReadOnlyList<(ReceivedEvent Received, TData Data)> events, CancellationToken cancellationToken) => Task.CompletedTask;

    private static List<(ReceivedEvent Received, TData Data)> Typed(IReadOnlyList<HandledEvent> events) =>
        events.Select(e => (e.Received, (TData)e.Data)).ToList();
}

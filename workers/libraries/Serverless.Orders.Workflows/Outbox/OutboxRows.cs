using Serverless.Orders.Contracts;

namespace Serverless.Orders.Outbox;

/// <summary>Where a queued order is. A row only moves forward: from <see cref="Queued"/> to one of the others, once.</summary>
public enum OutboxState
{
    /// <summary>Accepted while Temporal was unreachable; the relay has not started its workflow yet.</summary>
    Queued,

    /// <summary>The workflow exists (the relay started it, or found it already started for the same order).</summary>
    Started,

    /// <summary>Cancelled before its workflow existed: the relay never starts it.</summary>
    Cancelled,

    /// <summary>A workflow with this id exists for another order (same key, other body, raced past the outbox): never started.</summary>
    Conflict,
}

/// <summary>An order intent as the functions write it when Temporal cannot take the start.</summary>
public sealed record OutboxOrder(OrderInput Input, string IdempotencyKey, string Fingerprint, string? CorrelationId, string Environment);

/// <summary>What a write to the outbox found: a new row, or the row already there for this order id.</summary>
/// <param name="QueuedNow">True when this call wrote the row.</param>
/// <param name="SameRequest">False when the existing row holds another order's fingerprint (same key, other body).</param>
/// <param name="State">The row's state now.</param>
public sealed record OutboxEnqueue(bool QueuedNow, bool SameRequest, OutboxState State);

/// <summary>An order's row as reads see it.</summary>
public sealed record OutboxEntry(string OrderId, string Fingerprint, OutboxState State, string? CancelReason, DateTimeOffset AcceptedAt);

/// <summary>A row the relay holds locked while it starts its workflow.</summary>
public sealed record ClaimedOrder(OrderInput Input, string? CorrelationId, int Attempts);

/// <summary>What a cancel found in the outbox.</summary>
public enum OutboxCancel
{
    /// <summary>No queued row: the order is in Temporal (or unknown); signal the workflow.</summary>
    NotQueued,

    /// <summary>This call cancelled the queued row.</summary>
    CancelledNow,

    /// <summary>The row was cancelled before.</summary>
    AlreadyCancelled,
}

/// <summary>Queue depth and the age of the oldest queued row (zero when none).</summary>
public sealed record OutboxBacklog(long Queued, TimeSpan OldestAge);

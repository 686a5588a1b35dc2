using System.Threading.Channels;
using Temporalio.Worker.Tuning;

namespace Serverless.Workers.InFlight;

/// <summary>
/// Fixed-size slots of one slot type, as <see cref="FixedSizeSlotSupplier"/> hands them out, but
/// counted: <see cref="Used"/> is the slots marked used and not yet released, the in-flight tasks
/// the task queue's backlog no longer shows (platform-semantics §3.4). Reserved but idle slots (a
/// poller waiting for a task holds one) are not in-flight work and are not counted as used.
/// </summary>
public sealed class CountingSlotSupplier : CustomSlotSupplier
{
    // One token per free slot: a reservation takes one, a release puts it back.
    private readonly Channel<bool> free = Channel.CreateUnbounded<bool>();
    private int used;

    public CountingSlotSupplier(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        for (var i = 0; i < capacity; i++)
        {
            free.Writer.TryWrite(true);
        }
    }

    /// <summary>The most slots ever handed out at once.</summary>
    public int Capacity { get; }

    /// <summary>Slots processing a task now.</summary>
    public int Used => Volatile.Read(ref used);

    /// <summary>Slots handed out (idle pollers' included) and not yet released.</summary>
    public int Reserved => Capacity - free.Reader.Count;

    /// <summary>Waits for a free slot; the SDK cancels the wait when the worker stops polling.</summary>
    public override async Task<SlotPermit> ReserveSlotAsync(SlotReserveContext ctx, CancellationToken cancellationToken)
    {
        await free.Reader.ReadAsync(cancellationToken);
        return new CountedPermit();
    }

    /// <summary>For eager tasks: a slot only if one is free now, never waiting.</summary>
    public override SlotPermit? TryReserveSlot(SlotReserveContext ctx) => free.Reader.TryRead(out _) ? new CountedPermit() : null;

    public override void MarkSlotUsed(SlotMarkUsedContext ctx)
    {
        if (ctx.Permit is CountedPermit permit && permit.TryMarkUsed())
        {
            Interlocked.Increment(ref used);
        }
    }

    /// <summary>Frees the slot once, however often the SDK reports its release, so the bound always holds.</summary>
    public override void ReleaseSlot(SlotReleaseContext ctx)
    {
        if (ctx.Permit is not CountedPermit permit || permit.Release() is not { } wasUsed)
        {
            return;
        }

        if (wasUsed)
        {
            Interlocked.Decrement(ref used);
        }

        free.Writer.TryWrite(true);
    }

    /// <summary>A slot's life: reserved, maybe used, released exactly once.</summary>
    private sealed class CountedPermit : SlotPermit
    {
        private const int Reserved = 0;
        private const int InUse = 1;
        private const int Released = 2;
        private int state = Reserved;

        public bool TryMarkUsed() => Interlocked.CompareExchange(ref state, InUse, Reserved) == Reserved;

        /// <summary>Whether the slot was in use, or null when it had been released already.</summary>
        public bool? Release() => Interlocked.Exchange(ref state, Released) switch
        {
            Released => null,
            InUse => true,
            _ => false,
        };
    }
}

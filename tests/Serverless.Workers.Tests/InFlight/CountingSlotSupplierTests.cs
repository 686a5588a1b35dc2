using Serverless.Workers.InFlight;
using Temporalio.Worker.Tuning;

namespace Serverless.Workers.Tests.InFlight;

/// <summary>The supplier called as the SDK calls it: reserve, mark used, release.</summary>
public sealed class CountingSlotSupplierTests
{
    private static readonly SlotReserveContext Reserve = new(SlotType.Activity, "dev-payments", "worker-1", "build-1", IsSticky: false);
    private static readonly SlotInfo Charge = new SlotInfo.ActivitySlotInfo("ChargePayment");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReserveSlotAsync_AtCapacity_WaitsUntilASlotIsReleased()
    {
        var supplier = new CountingSlotSupplier(2);
        var first = await supplier.ReserveSlotAsync(Reserve, Ct);
        await supplier.ReserveSlotAsync(Reserve, Ct);

        var third = supplier.ReserveSlotAsync(Reserve, Ct);
        Assert.False(third.IsCompleted);
        Assert.Null(supplier.TryReserveSlot(Reserve));

        supplier.ReleaseSlot(new SlotReleaseContext(null, first));
        await third.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(2, supplier.Reserved);
    }

    [Fact]
    public async Task ReserveSlotAsync_CancelledWhileWaiting_ThrowsAndTakesNoSlot()
    {
        var supplier = new CountingSlotSupplier(1);
        var held = await supplier.ReserveSlotAsync(Reserve, Ct);
        using var stopPolling = new CancellationTokenSource();

        var waiting = supplier.ReserveSlotAsync(Reserve, stopPolling.Token);
        await stopPolling.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        supplier.ReleaseSlot(new SlotReleaseContext(null, held));
        Assert.Equal(0, supplier.Reserved);
        Assert.NotNull(supplier.TryReserveSlot(Reserve));
    }

    [Fact]
    public async Task MarkSlotUsed_CountsUsedUntilReleaseButNotIdleReservations()
    {
        var supplier = new CountingSlotSupplier(5);
        var running = await supplier.ReserveSlotAsync(Reserve, Ct);
        var polling = await supplier.ReserveSlotAsync(Reserve, Ct);

        supplier.MarkSlotUsed(new SlotMarkUsedContext(Charge, running));
        Assert.Equal((1, 2, 5), (supplier.Used, supplier.Reserved, supplier.Capacity));

        supplier.ReleaseSlot(new SlotReleaseContext(Charge, running));
        supplier.ReleaseSlot(new SlotReleaseContext(null, polling));
        Assert.Equal((0, 0), (supplier.Used, supplier.Reserved));
    }

    [Fact]
    public async Task ReleaseSlot_SamePermitTwiceOrMarkedTwice_CountsOnceAndKeepsTheBound()
    {
        var supplier = new CountingSlotSupplier(1);
        var permit = await supplier.ReserveSlotAsync(Reserve, Ct);
        supplier.MarkSlotUsed(new SlotMarkUsedContext(Charge, permit));
        supplier.MarkSlotUsed(new SlotMarkUsedContext(Charge, permit));
        Assert.Equal(1, supplier.Used);

        supplier.ReleaseSlot(new SlotReleaseContext(Charge, permit));
        supplier.ReleaseSlot(new SlotReleaseContext(Charge, permit));

        Assert.Equal((0, 0), (supplier.Used, supplier.Reserved));
        Assert.NotNull(supplier.TryReserveSlot(Reserve));
        Assert.Null(supplier.TryReserveSlot(Reserve));
    }

    [Fact]
    public void TryReserveSlot_EagerTaskWithFreeSlot_PermitThatCountsWhenUsed()
    {
        var supplier = new CountingSlotSupplier(1);

        var permit = Assert.IsType<SlotPermit>(supplier.TryReserveSlot(Reserve), exactMatch: false);
        supplier.MarkSlotUsed(new SlotMarkUsedContext(Charge, permit));

        Assert.Equal(1, supplier.Used);
    }

    [Fact]
    public void ReleaseSlot_PermitOfAnotherSupplier_Ignored()
    {
        var supplier = new CountingSlotSupplier(1);
        var foreign = new SlotPermit();

        supplier.MarkSlotUsed(new SlotMarkUsedContext(Charge, foreign));
        supplier.ReleaseSlot(new SlotReleaseContext(Charge, foreign));

        Assert.Equal((0, 0), (supplier.Used, supplier.Reserved));
    }

    [Fact]
    public async Task ReserveAndRelease_ManyConcurrentTasks_NeverAboveCapacityAndBackToZero()
    {
        var supplier = new CountingSlotSupplier(3);
        var peak = 0;

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(
            async () =>
            {
                var permit = await supplier.ReserveSlotAsync(Reserve, Ct);
                supplier.MarkSlotUsed(new SlotMarkUsedContext(Charge, permit));
                InterlockedMax(ref peak, supplier.Used);
                await Task.Yield();
                supplier.ReleaseSlot(new SlotReleaseContext(Charge, permit));
            },
            Ct)));

        Assert.InRange(peak, 1, 3);
        Assert.Equal((0, 0), (supplier.Used, supplier.Reserved));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}

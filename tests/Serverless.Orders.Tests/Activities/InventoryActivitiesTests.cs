using Serverless.Orders.Activities;
using Serverless.Orders.Contracts;
using Temporalio.Exceptions;

namespace Serverless.Orders.Tests.Activities;

public sealed class InventoryActivitiesTests
{
    private static ReserveInventoryRequest Reserve(string sku = "SKU-1", int quantity = 3) =>
        new("ord-inv-1", [new OrderLine(sku, quantity, 9.99m)]);

    [Fact]
    public async Task ReserveInventory_InStock_HoldsStock()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?> { ["Simulators:Inventory:Stock:SKU-1"] = "10" });
        var activities = harness.Activities<InventoryActivities>();

        var reservation = await harness.Environment("ord-inv-1").RunAsync(() => activities.ReserveInventoryAsync(Reserve()));

        Assert.StartsWith("res_", reservation.ReservationId, StringComparison.Ordinal);
        var stock = harness.Simulators.Inventory.StockOf("SKU-1");
        Assert.Equal((7, 3), (stock.Available, stock.Reserved));
    }

    [Fact]
    public async Task ReserveInventory_OutOfStock_ThrowsNonRetryableOutOfStock()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?> { ["Simulators:Inventory:Stock:SKU-1"] = "2" });
        var activities = harness.Activities<InventoryActivities>();

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(
            () => harness.Environment("ord-inv-1").RunAsync(() => activities.ReserveInventoryAsync(Reserve())));

        Assert.Equal(OrderFailures.OutOfStock, failure.ErrorType);
        Assert.True(failure.NonRetryable);
        Assert.Equal(2, harness.Simulators.Inventory.StockOf("SKU-1").Available);
    }

    [Fact]
    public async Task ReserveInventory_RetriedAfterLostAnswer_ReservesOnce()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Simulators:Inventory:Stock:SKU-1"] = "10",
            ["Simulators:Inventory:ResponseLossRate"] = "1",
        });
        var activities = harness.Activities<InventoryActivities>();

        await Assert.ThrowsAsync<HttpRequestException>(
            () => harness.Environment("ord-inv-1").RunAsync(() => activities.ReserveInventoryAsync(Reserve())));
        harness.Simulators.InventorySettings.ResponseLossRate = 0;
        await harness.Environment("ord-inv-1").RunAsync(() => activities.ReserveInventoryAsync(Reserve()));

        Assert.Equal(3, harness.Simulators.Inventory.StockOf("SKU-1").Reserved);
    }

    [Fact]
    public async Task ConfirmReservation_Held_MovesStockToConfirmed()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?> { ["Simulators:Inventory:Stock:SKU-1"] = "10" });
        var activities = harness.Activities<InventoryActivities>();
        var environment = harness.Environment("ord-inv-1");
        var reservation = await environment.RunAsync(() => activities.ReserveInventoryAsync(Reserve()));

        await environment.RunAsync(() => activities.ConfirmReservationAsync(new ConfirmReservationRequest("ord-inv-1", reservation.ReservationId)));

        var stock = harness.Simulators.Inventory.StockOf("SKU-1");
        Assert.Equal((7, 0, 3), (stock.Available, stock.Reserved, stock.Confirmed));
    }

    [Fact]
    public async Task ConfirmReservation_Expired_ThrowsNonRetryableReservationExpired()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Simulators:Inventory:Stock:SKU-1"] = "10",
            ["Simulators:Inventory:ReservationTtl"] = "00:00:00.001",
        });
        var activities = harness.Activities<InventoryActivities>();
        var environment = harness.Environment("ord-inv-1");
        var reservation = await environment.RunAsync(() => activities.ReserveInventoryAsync(Reserve()));
        await Task.Delay(20, TestContext.Current.CancellationToken);

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(() => environment.RunAsync(
            () => activities.ConfirmReservationAsync(new ConfirmReservationRequest("ord-inv-1", reservation.ReservationId))));

        Assert.Equal(OrderFailures.ReservationExpired, failure.ErrorType);
        Assert.Equal(10, harness.Simulators.Inventory.StockOf("SKU-1").Available);
    }

    [Fact]
    public async Task ReleaseInventory_HeldReservation_ReturnsStockAndIsIdempotent()
    {
        await using var harness = await ActivityHarness.StartAsync(new Dictionary<string, string?> { ["Simulators:Inventory:Stock:SKU-1"] = "10" });
        var activities = harness.Activities<InventoryActivities>();
        var environment = harness.Environment("ord-inv-1");
        var reservation = await environment.RunAsync(() => activities.ReserveInventoryAsync(Reserve()));
        var release = new ReleaseInventoryRequest("ord-inv-1", reservation.ReservationId);

        await environment.RunAsync(() => activities.ReleaseInventoryAsync(release));
        await environment.RunAsync(() => activities.ReleaseInventoryAsync(release));

        var stock = harness.Simulators.Inventory.StockOf("SKU-1");
        Assert.Equal((10, 0), (stock.Available, stock.Reserved));
    }

    [Fact]
    public async Task ReleaseInventory_UnknownReservation_SucceedsWithNothingToRelease()
    {
        await using var harness = await ActivityHarness.StartAsync();
        var activities = harness.Activities<InventoryActivities>();

        await harness.Environment("ord-inv-1").RunAsync(
            () => activities.ReleaseInventoryAsync(new ReleaseInventoryRequest("ord-inv-1", "res_missing")));
    }
}

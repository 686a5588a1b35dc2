using Serverless.Platform.Configuration;
using Serverless.Orders.Integrations;

namespace Serverless.Simulators;

public static class SimulatorEndpoints
{
    public static IServiceCollection AddSimulators(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PaymentGatewaySimulatorOptions>().Bind(configuration.GetSection(PaymentGatewaySimulatorOptions.Section)).ValidateRules(o => o.Validate(PaymentGatewaySimulatorOptions.Section));
        services.AddOptions<InventorySimulatorOptions>().Bind(configuration.GetSection(InventorySimulatorOptions.Section)).ValidateRules(o => o.Validate(InventorySimulatorOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PaymentGatewaySimulator>();
        services.AddSingleton<InventorySimulator>();
        return services;
    }

    /// <summary>Payment gateway under <c>/payments/v1</c>, inventory service under <c>/inventory/v1</c>.</summary>
    public static IEndpointRouteBuilder MapSimulators(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/payments/v1");
        payments.MapPost("/charges", (HttpRequest http, ChargeRequestBody body, PaymentGatewaySimulator gateway) =>
            Guarded(http, gateway.Faults, key => gateway.ChargeAsync(key, body)));
        payments.MapPost("/charges/{chargeId}/refunds", (HttpRequest http, string chargeId, RefundRequestBody body, PaymentGatewaySimulator gateway) =>
            Guarded(http, gateway.Faults, key => gateway.RefundAsync(key, chargeId, body)));
        payments.MapGet("/ledger", (PaymentGatewaySimulator gateway) => Results.Ok(new { charges = gateway.Charges, refunds = gateway.Refunds }));

        var inventory = app.MapGroup("/inventory/v1");
        inventory.MapPost("/reservations", (HttpRequest http, ReservationRequestBody body, InventorySimulator stock) =>
            Guarded(http, stock.Faults, key => stock.ReserveAsync(key, body)));
        inventory.MapPost("/reservations/{reservationId}/confirm", (HttpRequest http, string reservationId, InventorySimulator stock) =>
            Guarded(http, stock.Faults, key => stock.ConfirmAsync(key, reservationId)));
        inventory.MapDelete("/reservations/{reservationId}", (HttpRequest http, string reservationId, InventorySimulator stock) =>
            Guarded(http, stock.Faults, key => stock.ReleaseAsync(key, reservationId)));
        inventory.MapGet("/reservations/{reservationId}", (string reservationId, InventorySimulator stock) =>
            stock.Find(reservationId) is { } found ? Results.Ok(found) : Results.NotFound());
        inventory.MapGet("/stock/{sku}", (string sku, InventorySimulator stock) => Results.Ok(stock.StockOf(sku)));

        app.MapGet("/health/live", () => Results.Ok(new { status = "live" }));
        return app;
    }

    private static async Task<IResult> Guarded(HttpRequest http, FaultInjector faults, Func<string, Task<IResult>> effect)
    {
        var key = http.Headers[SimulatedFaults.IdempotencyKeyHeader].ToString();
        if (string.IsNullOrWhiteSpace(key))
        {
            return SimulatedFaults.MissingIdempotencyKey();
        }

        await faults.DelayAsync(http.HttpContext.RequestAborted);
        return faults.FailsBeforeEffect()
            ? SimulatedFaults.Unavailable("injected transient failure")
            : await effect(key);
    }
}

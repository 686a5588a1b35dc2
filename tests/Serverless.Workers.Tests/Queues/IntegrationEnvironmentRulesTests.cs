using Serverless.Orders.Integrations;
using Serverless.Platform.Environments;
using Serverless.Workers.Queues;

namespace Serverless.Workers.Tests.Queues;

public sealed class IntegrationEnvironmentRulesTests
{
    private static readonly ServerlessEnvironmentOptions Dev = new() { Environment = "dev" };
    private static readonly ServerlessEnvironmentOptions Prod = new() { Environment = "prod" };

    [Fact]
    public void Validate_LiveGatewayInDev_RefusesToChargeRealCards()
    {
        var gateway = new PaymentGatewayOptions { BaseAddress = new Uri("https://gateway.example"), Mode = PaymentGatewayMode.Live };

        var error = Assert.Single(IntegrationEnvironmentRules.Validate(gateway, Dev));
        Assert.Contains("only 'prod' may charge real cards", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PaymentGatewayMode.Simulator)]
    [InlineData(PaymentGatewayMode.Sandbox)]
    public void Validate_NonLiveGatewayInProd_IsRefused(PaymentGatewayMode mode)
    {
        var gateway = new PaymentGatewayOptions { BaseAddress = new Uri("https://gateway.example"), Mode = mode };

        var error = Assert.Single(IntegrationEnvironmentRules.Validate(gateway, Prod));
        Assert.Contains("production must use the Live gateway", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LiveGatewayInProd_IsAccepted()
    {
        var gateway = new PaymentGatewayOptions { BaseAddress = new Uri("https://gateway.example"), Mode = PaymentGatewayMode.Live };

        Assert.Empty(IntegrationEnvironmentRules.Validate(gateway, Prod));
    }

    [Fact]
    public void Validate_InventoryHostOfAnotherEnvironment_IsRefused()
    {
        var inventory = new InventoryServiceOptions { BaseAddress = new Uri("http://inventory.prod.svc.cluster.local/") };

        var error = Assert.Single(IntegrationEnvironmentRules.Validate(inventory, Dev));
        Assert.Contains("Integrations:Inventory:BaseAddress", error, StringComparison.Ordinal);
    }
}

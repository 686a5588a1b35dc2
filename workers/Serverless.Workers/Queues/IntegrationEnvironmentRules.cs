using Serverless.Orders.Integrations;
using Serverless.Platform.Environments;

namespace Serverless.Workers.Queues;

/// <summary>A dev worker must never charge real cards; prod must never run on a simulator.</summary>
public static class IntegrationEnvironmentRules
{
    public static IEnumerable<string> Validate(PaymentGatewayOptions gateway, ServerlessEnvironmentOptions environment)
    {
        if (gateway.Mode == PaymentGatewayMode.Live && !environment.IsProduction)
        {
            yield return $"Integrations:PaymentGateway:Mode is Live but this process runs in environment '{environment.Environment}': " +
                         $"only '{environment.ProductionEnvironment}' may charge real cards. Use Simulator or Sandbox.";
        }

        if (gateway.Mode != PaymentGatewayMode.Live && environment.IsProduction)
        {
            yield return $"Integrations:PaymentGateway:Mode is {gateway.Mode} in environment '{environment.Environment}': " +
                         "production must use the Live gateway.";
        }

        foreach (var mixing in EnvironmentGuard.FindMixing(
                     environment, [("Integrations:PaymentGateway:BaseAddress", gateway.BaseAddress?.Host)]))
        {
            yield return mixing;
        }
    }

    public static IEnumerable<string> Validate(InventoryServiceOptions inventory, ServerlessEnvironmentOptions environment) =>
        EnvironmentGuard.FindMixing(environment, [("Integrations:Inventory:BaseAddress", inventory.BaseAddress?.Host)]);
}

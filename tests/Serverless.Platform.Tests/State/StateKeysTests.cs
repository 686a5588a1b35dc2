using Serverless.Platform.Environments;
using Serverless.Platform.State;

namespace Serverless.Platform.Tests.State;

public sealed class StateKeysTests
{
    [Theory]
    [InlineData("appid", "orders-api||order:1")]
    [InlineData("AppID", "orders-api||order:1")]
    [InlineData("name", "statestore||order:1")]
    [InlineData("namespace", "shop.orders-api||order:1")]
    [InlineData("none", "order:1")]
    [InlineData("dev-orders", "dev-orders||order:1")]
    public void Compose_KeyPrefixStrategies_MatchDaprRuntime(string keyPrefix, string expected)
    {
        var prefix = StateKeys.PrefixFor(keyPrefix, "orders-api", "statestore", "shop");

        Assert.Equal(expected, StateKeys.Compose(prefix, "order:1"));
    }

    [Fact]
    public void PrefixFor_NamespaceStrategyWithoutNamespace_FallsBackToAppId() =>
        Assert.Equal("orders-api", StateKeys.PrefixFor("namespace", "orders-api", "statestore", kubernetesNamespace: null));

    [Fact]
    public void Compose_KeyWithSeparator_IsRejected() =>
        Assert.Throws<ArgumentException>(() => StateKeys.Compose("p", "a||b"));

    [Fact]
    public void Validate_PrefixOfAnotherEnvironmentOrMissingAppId_ListsBoth()
    {
        var environment = new ServerlessEnvironmentOptions { Environment = "dev" };

        var errors = new StateOptions { KeyPrefix = "prod-orders" }.Validate(environment)
            .Concat(new StateOptions { KeyPrefix = "appid" }.Validate(environment))
            .ToList();

        Assert.Contains(errors, e => e.Contains("belongs to environment 'prod'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("State:AppId is not set", StringComparison.Ordinal));
    }
}

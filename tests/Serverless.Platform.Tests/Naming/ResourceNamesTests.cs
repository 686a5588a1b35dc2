using Serverless.Naming;
using Serverless.Platform.Environments;

namespace Serverless.Platform.Tests.Naming;

/// <summary>The environment rule, written once: every component that names or checks a resource agrees with it.</summary>
public sealed class ResourceNamesTests
{
    public static TheoryData<string?> Invalid => new()
    {
        null!, string.Empty, " ", "d", "Dev", "DEV", "1dev", "dev-blue", "dev_1", "dev ", " dev", "dév", "dev\n",
        "abcdefghijklmnopqrstu", "prod/x", "{environment}",
    };

    public static TheoryData<string> Valid => new() { "dev", "prod", "staging", "qa2", "ab", "abcdefghijklmnopqrst" };

    [Theory]
    [MemberData(nameof(Valid))]
    public void IsValidEnvironment_LowerCaseLettersAndDigits_Accepted(string environment) =>
        Assert.True(ResourceNames.IsValidEnvironment(environment));

    [Theory]
    [MemberData(nameof(Invalid))]
    public void IsValidEnvironment_AnythingElse_Refused(string? environment) =>
        Assert.False(ResourceNames.IsValidEnvironment(environment));

    [Theory]
    [MemberData(nameof(Invalid))]
    public void For_InvalidEnvironment_ThrowsNamingTheRule(string? environment)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => ResourceNames.For(environment!, "orders"));

        Assert.Contains(ResourceNames.EnvironmentRule, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_EmptyName_Throws() => Assert.ThrowsAny<ArgumentException>(() => ResourceNames.For("dev", string.Empty));

    [Fact]
    public void For_PrefixesTheEnvironment() => Assert.Equal("prod-payments", ResourceNames.For("prod", "payments"));

    [Theory]
    [InlineData("prod-payments", "prod", "payments")]
    [InlineData("dev-orders-dlq-projection", "dev", "orders-dlq-projection")]
    public void TrySplit_PhysicalName_GivesEnvironmentAndName(string physical, string environment, string name)
    {
        Assert.True(ResourceNames.TrySplit(physical, out var foundEnvironment, out var foundName));
        Assert.Equal(environment, foundEnvironment);
        Assert.Equal(name, foundName);
        Assert.Equal(physical, ResourceNames.For(foundEnvironment, foundName));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("orders")]
    [InlineData("-orders")]
    [InlineData("dev-")]
    [InlineData("Dev-orders")]
    [InlineData("d-orders")]
    [InlineData("abcdefghijklmnopqrstu-orders")]
    public void TrySplit_NoValidEnvironmentPrefix_False(string? physical)
    {
        Assert.False(ResourceNames.TrySplit(physical, out var environment, out var name));
        Assert.Null(environment);
        Assert.Null(name);
    }

    [Theory]
    [InlineData("dev", "dev-orders", "orders")]
    [InlineData("dev", "prod-orders", null)]
    [InlineData("dev", "orders", null)]
    [InlineData("dev", "devx-orders", null)]
    public void LogicalIn_OnlyForTheGivenEnvironment(string environment, string physical, string? logical) =>
        Assert.Equal(logical, ResourceNames.LogicalIn(environment, physical));

    [Fact]
    public void Expand_ReplacesEveryToken() =>
        Assert.Equal("prod-orders.prod.svc:6379", ResourceNames.Expand("{environment}-orders.{environment}.svc:6379", "prod"));

    [Theory]
    [InlineData("prod-orders", "payments", "prod-payments")]
    [InlineData("orders", "payments", "payments")]
    public void Sibling_StaysInTheWorkflowsEnvironment(string current, string queue, string sibling) =>
        Assert.Equal(sibling, ResourceNames.Sibling(current, queue));

    [Theory]
    [MemberData(nameof(Invalid))]
    public void EnvironmentGuard_RefusesWhatTheRuleRefuses(string? environment)
    {
        var options = new ServerlessEnvironmentOptions { Environment = environment ?? string.Empty, KnownEnvironments = [environment ?? string.Empty] };

        Assert.Contains(EnvironmentGuard.ValidateEnvironment(options), e => e.Contains(ResourceNames.EnvironmentRule, StringComparison.Ordinal));
    }
}

using Serverless.Platform.Environments;

namespace Serverless.Platform.Tests.Environments;

public sealed class EnvironmentGuardTests
{
    private static readonly ServerlessEnvironmentOptions Dev = new() { Environment = "dev" };

    [Theory]
    [InlineData("Temporal:Namespace", "prod")]
    [InlineData("Redis:KeyPrefix", "serverless-prod:")]
    [InlineData("Temporal:Address", "temporal.staging.svc:7233")]
    [InlineData("Workers:Poll", "PROD-payments")]
    public void FindMixing_ValueNamingAnotherEnvironment_NamesSettingAndBothEnvironments(string setting, string value)
    {
        var error = Assert.Single(EnvironmentGuard.FindMixing(Dev, [(setting, value)]));

        Assert.StartsWith($"{setting} is '{value}', which belongs to environment '", error, StringComparison.Ordinal);
        Assert.Contains("this process runs in environment 'dev'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("dev-orders")]
    [InlineData("product-catalog")]
    [InlineData("reproduction")]
    [InlineData("")]
    [InlineData(null)]
    public void FindMixing_OwnOrUnrelatedValues_AreAccepted(string? value)
    {
        Assert.Empty(EnvironmentGuard.FindMixing(Dev, [("Any:Setting", value)]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Dev")]
    [InlineData("d")]
    [InlineData("dev-1")]
    [InlineData("qa")]
    public void ValidateEnvironment_BadOrUnknownName_IsRejected(string name)
    {
        var error = Assert.Single(EnvironmentGuard.ValidateEnvironment(new ServerlessEnvironmentOptions { Environment = name }));
        Assert.StartsWith("Serverless:Environment", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateEnvironment_KnownName_IsAccepted()
    {
        Assert.Empty(EnvironmentGuard.ValidateEnvironment(new ServerlessEnvironmentOptions { Environment = "staging" }));
    }
}

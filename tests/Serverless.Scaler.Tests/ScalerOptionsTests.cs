namespace Serverless.Scaler.Tests;

public sealed class ScalerOptionsTests
{
    [Fact]
    public void Validate_Defaults_HaveNoProblem()
    {
        Assert.Empty(new ScalerOptions { Redis = "127.0.0.1:6379" }.Validate());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6000)]
    public void Validate_TaskQueueStatsMaxAgeOutOfRange_NamesTheSetting(int milliseconds)
    {
        var options = new ScalerOptions { Redis = "127.0.0.1:6379", TaskQueueStatsMaxAge = TimeSpan.FromMilliseconds(milliseconds) };

        Assert.StartsWith("Scaler:TaskQueueStatsMaxAge must be between 0 and 5 s", Assert.Single(options.Validate()), StringComparison.Ordinal);
    }
}

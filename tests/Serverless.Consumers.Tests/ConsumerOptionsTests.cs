using Serverless.Catalog;
using Serverless.Consumers.Consuming;
using Serverless.Platform.Environments;

namespace Serverless.Consumers.Tests;

/// <summary><c>Consumer:ProcessingTimeout</c> and <c>Consumer:RedeliverInterval</c> read as Dapr reads them (platform-semantics §7.2), plus our TimeSpan form.</summary>
public sealed class ConsumerOptionsTests
{
    [Theory]
    [InlineData("60000", 60_000)]
    [InlineData("0", 0)]
    [InlineData("30s", 30_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("00:00:30", 30_000)]
    [InlineData("00:00:00.250", 250)]
    public void DaprDuration_ValidForms_ReadAsDaprDoes(string text, long milliseconds)
    {
        Assert.True(DaprDuration.TryParse(text, out var duration, out var problem), problem);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("30")]
    [InlineData("-5s")]
    [InlineData("-1")]
    [InlineData("30 s")]
    [InlineData("5d")]
    [InlineData("-00:00:30")]
    public void Validate_InvalidProcessingTimeout_NamesTheSettingAndTheForms(string text)
    {
        var problems = Problems(new ConsumerOptions { Handler = "audit", ProcessingTimeout = text });

        if (text == "30")
        {
            // A bare number is milliseconds, as in Dapr: 30 ms is a valid duration but too short.
            Assert.Contains(problems, p => p.StartsWith("Consumer:ProcessingTimeout must be 0 (no reclaim) or at least 100 ms", StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains(problems, p => p.StartsWith($"Consumer:ProcessingTimeout: '{text}' is not a duration: give whole milliseconds", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validate_Defaults_AreDaprsAndValid()
    {
        var options = new ConsumerOptions { Handler = "audit" };

        Assert.Empty(Problems(options));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), HandlerErrorPolicy.Ack), (options.ProcessingTimeoutSpan, options.RedeliverIntervalSpan, options.OnHandlerError));
        Assert.True(options.ReclaimEnabled);
    }

    [Theory]
    [InlineData("0", "15s")]
    [InlineData("60s", "0")]
    public void Validate_EitherDurationZero_ValidAndReclaimDisabled(string processingTimeout, string redeliverInterval)
    {
        var options = new ConsumerOptions { Handler = "audit", ProcessingTimeout = processingTimeout, RedeliverInterval = redeliverInterval };

        Assert.Empty(Problems(options));
        Assert.False(options.ReclaimEnabled);
    }

    [Fact]
    public void Validate_UndefinedHandlerErrorPolicy_Refused()
    {
        var problems = Problems(new ConsumerOptions { Handler = "audit", OnHandlerError = (HandlerErrorPolicy)7, RedeliverInterval = "soon" });

        Assert.Contains("Consumer:OnHandlerError must be Ack or KeepPending.", problems);
        Assert.Contains(problems, p => p.StartsWith("Consumer:RedeliverInterval: 'soon' is not a duration", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(10_001, 16)]
    [InlineData(64, 0)]
    public void Validate_BatchSizeOrConcurrencyOutOfRange_Refused(int batchSize, int concurrency)
    {
        var problems = Problems(new ConsumerOptions { Handler = "audit", BatchSize = batchSize, Concurrency = concurrency });

        Assert.Contains($"Consumer:BatchSize ({batchSize}) and Consumer:Concurrency ({concurrency}) must be between 1 and 10000.", problems);
    }

    private static List<string> Problems(ConsumerOptions options) =>
        options.Validate(new ServerlessEnvironmentOptions { Environment = "dev" }, StreamHandlers.All).ToList();
}

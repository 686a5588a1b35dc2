using Microsoft.Extensions.Options;
using Serverless.Platform.Hosting;

namespace Serverless.Platform.Tests.Hosting;

public sealed class ShutdownBudgetTests
{
    [Fact]
    public void Derived_DefaultBudget_NestsTimeoutsInOrder()
    {
        var budget = new ShutdownBudgetOptions();

        // drain < host shutdown timeout < pod grace period
        Assert.Equal(TimeSpan.FromSeconds(25), budget.DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), budget.HostShutdownTimeout);
        Assert.Equal(40, budget.MinimumTerminationGracePeriodSeconds);
        Assert.Empty(budget.Validate());
    }

    [Theory]
    [InlineData("00:00:00", "00:00:05", "Shutdown:Budget")]
    [InlineData("02:00:00", "00:00:05", "Shutdown:Budget")]
    [InlineData("00:00:10", "00:00:10", "Shutdown:CleanupReserve")]
    [InlineData("00:00:10", "00:00:00", "Shutdown:CleanupReserve")]
    public void Validate_InconsistentBudget_NamesTheSetting(string budget, string reserve, string setting)
    {
        var options = new ShutdownBudgetOptions { Budget = TimeSpan.Parse(budget, System.Globalization.CultureInfo.InvariantCulture), CleanupReserve = TimeSpan.Parse(reserve, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Contains(options.Validate(), e => e.StartsWith(setting, StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigurationErrors_AggregateOfValidations_FlattensEveryFailure()
    {
        var aggregate = new AggregateException(
            new OptionsValidationException("A", typeof(object), ["first", "second"]),
            new AggregateException(new OptionsValidationException("B", typeof(object), ["third"])),
            new InvalidOperationException("not a configuration problem"));

        Assert.Equal(["first", "second", "third"], HostRunner.ConfigurationErrors(aggregate));
        Assert.Empty(HostRunner.ConfigurationErrors(new InvalidOperationException("boom")));
    }
}

using Serverless.Scaling.Autoscaling;

namespace Serverless.Scaling.Tests.Autoscaling;

/// <summary>platform-semantics §1.2-§1.3: activation and the N → 0 step of KEDA's RequestScale.</summary>
public sealed class KedaScaledObjectModelTests
{
    private static TriggerReading Active(double metric) => new(true, false, metric, false);

    private static TriggerReading Inactive(double metric = 0) => new(false, false, metric, false);

    private static TriggerReading Failed() => new(false, true, null, false);

    [Fact]
    public void RequestScale_ActiveAtZero_ScalesToOneWhenMinIsZero()
    {
        var keda = new KedaScaledObjectModel(0, 300, null);

        var poll = keda.RequestScale(10, 0, Active(3));

        Assert.Equal((KedaAction.Activated, 1), (poll.Action, poll.To));
        Assert.Equal(10, keda.LastActiveTime);
    }

    [Fact]
    public void RequestScale_ActiveAtZeroWithMinThree_ScalesToMin()
    {
        var keda = new KedaScaledObjectModel(3, 300, null);

        Assert.Equal(3, keda.RequestScale(0, 0, Active(1)).To);
    }

    [Fact]
    public void RequestScale_ActiveAboveZero_OnlyRefreshesLastActiveTime()
    {
        var keda = new KedaScaledObjectModel(0, 300, null);
        keda.RequestScale(0, 0, Active(5));

        var poll = keda.RequestScale(30, 4, Active(50));

        Assert.Equal((KedaAction.None, 4), (poll.Action, poll.To));
        Assert.Equal(30, keda.LastActiveTime);
    }

    [Fact]
    public void RequestScale_InactiveWithinCooldown_KeepsReplicas()
    {
        var keda = new KedaScaledObjectModel(0, 300, null);
        keda.RequestScale(0, 0, Active(5));

        Assert.Equal(KedaAction.CoolingDown, keda.RequestScale(299, 5, Inactive()).Action);
        // lastActive + cooldown < now is strict: at exactly 300 s it is not over yet.
        Assert.Equal(KedaAction.CoolingDown, keda.RequestScale(300, 5, Inactive()).Action);
    }

    [Fact]
    public void RequestScale_InactivePastCooldown_ScalesFromAnyCountStraightToZero()
    {
        var keda = new KedaScaledObjectModel(0, 300, null);
        keda.RequestScale(0, 0, Active(5));

        var poll = keda.RequestScale(301, 7, Inactive());

        Assert.Equal((KedaAction.Deactivated, 7, 0), (poll.Action, poll.From, poll.To));
    }

    [Fact]
    public void RequestScale_CooldownIsMeasuredFromTheLastActivePoll()
    {
        var keda = new KedaScaledObjectModel(0, 60, null);
        keda.RequestScale(0, 0, Active(5));
        keda.RequestScale(100, 2, Active(1));

        Assert.Equal(KedaAction.CoolingDown, keda.RequestScale(150, 2, Inactive()).Action);
        Assert.Equal(KedaAction.Deactivated, keda.RequestScale(161, 2, Inactive()).Action);
    }

    [Fact]
    public void RequestScale_MinAboveZero_NeverScalesToZero()
    {
        var keda = new KedaScaledObjectModel(1, 0, null);
        keda.RequestScale(0, 0, Active(5));

        var poll = keda.RequestScale(10_000, 5, Inactive());

        Assert.Equal((KedaAction.None, 5), (poll.Action, poll.To));
    }

    [Fact]
    public void RequestScale_InactiveBelowMin_RaisesToMin()
    {
        var keda = new KedaScaledObjectModel(2, 300, null);

        var poll = keda.RequestScale(0, 1, Inactive());

        Assert.Equal((KedaAction.RaisedToMin, 2), (poll.Action, poll.To));
    }

    [Fact]
    public void RequestScale_ErrorWithFallbackReplicas_DoesNotScaleToZero()
    {
        var keda = new KedaScaledObjectModel(0, 0, new FallbackSettings(3, 2));
        keda.RequestScale(0, 0, Active(5));

        Assert.Equal(KedaAction.None, keda.RequestScale(1_000, 4, Failed()).Action);
    }

    [Fact]
    public void RequestScale_ErrorWithoutFallback_DoesNotScale()
    {
        var keda = new KedaScaledObjectModel(0, 0, null);
        keda.RequestScale(0, 0, Active(5));

        Assert.Equal(KedaAction.None, keda.RequestScale(1_000, 4, Failed()).Action);
    }

    [Fact]
    public void RequestScale_ErrorWithFallbackOfZeroReplicas_ScalesToZeroAfterCooldown()
    {
        var keda = new KedaScaledObjectModel(0, 10, new FallbackSettings(3, 0));
        keda.RequestScale(0, 0, Active(5));

        Assert.Equal(KedaAction.Deactivated, keda.RequestScale(11, 4, Failed()).Action);
    }
}

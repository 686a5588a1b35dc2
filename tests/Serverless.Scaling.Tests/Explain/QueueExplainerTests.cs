using Serverless.Scaling.Explain;
using Serverless.Testing.Policy;

namespace Serverless.Scaling.Tests.Explain;

public sealed class QueueExplainerTests
{
    private static readonly Serverless.Scaling.Policy.ScalerPolicy Policy = PolicyText.Valid(PolicyText.CheckedIn);

    private static readonly Serverless.Scaling.Policy.ScalerPolicy BacklogPolicy = PolicyText.Valid(PolicyText.Backlog);

    [Fact]
    public void Explain_IdleActivityPoolOnBacklog_WakesAfterPollingPlusStartup()
    {
        var dev = BacklogPolicy.Find("dev")!;
        var payments = dev.FindQueue("payments")!;

        var explanation = QueueExplainer.Explain(dev, payments, 100);

        // Polls every 5 s (items arrive just after one), start-up 20 s: the first replica is ready at 25 s.
        Assert.Contains(explanation.Timeline, t => t.At == 5 && t.Text.StartsWith("KEDA", StringComparison.Ordinal) && t.Text.Contains("0 → 1", StringComparison.Ordinal));
        Assert.Contains(explanation.Timeline, t => t.At == 25 && t.Text.StartsWith("1 replica(s) ready", StringComparison.Ordinal));
        Assert.Contains("ready 25 s after", explanation.Summary[0], StringComparison.Ordinal);
        Assert.Contains(explanation.Timeline, t => t.Text.Contains("scales to zero", StringComparison.Ordinal));
        Assert.Equal(explanation.Run.Summary.ReplicaSeconds, explanation.Run.Series.Replicas.Sum());
    }

    [Fact]
    public void Explain_IdleActivityPoolOnWork_ShowsTheFormulaWakesAtTheArrivalAndSleepsAfterWindowPlusCooldown()
    {
        var dev = Policy.Find("dev")!;
        var payments = dev.FindQueue("payments")!;

        var explanation = QueueExplainer.Explain(dev, payments, 100);

        Assert.Contains(
            "Signal work: metric = waiting + in flight (used slots of the workers' leases); active while metric > 0 or an item arrived within the last 120 s; desired replicas = ceil(metric / 20).",
            explanation.Setting);
        // The push scaler wakes the pool in the arrival second; start-up 20 s.
        Assert.Contains(explanation.Timeline, t => t.At == 0 && t.Text.StartsWith("KEDA (pushed by the push scaler)", StringComparison.Ordinal) && t.Text.Contains("0 → 1", StringComparison.Ordinal));
        Assert.Contains("ready 20 s after the items arrive (the push scaler wakes the pool at once + start-up 20 s)", explanation.Summary[0], StringComparison.Ordinal);
        // Active until 119 s (window 120 s after the arrival at 0); cooldown 60 s; polls every 5 s: the first poll with 119 + 60 < now is 180.
        Assert.Contains(explanation.Timeline, t => t.At == 180 && t.Text.Contains("scales to zero", StringComparison.Ordinal));
    }

    [Fact]
    public void Formula_BacklogStream_SaysInFlightIsNotCounted()
    {
        var notifications = BacklogPolicy.Find("prod")!.FindQueue("notifications")!;

        Assert.Equal(
            "Signal backlog: metric = waiting items only (work in flight is not counted); active while metric > 0; desired replicas = ceil(metric / 100).",
            QueueExplainer.Formula(notifications));
    }

    [Fact]
    public void Explain_WorkflowWorkerWithAFloor_NeedsNoWakeUp()
    {
        var prod = Policy.Find("prod")!;

        var explanation = QueueExplainer.Explain(prod, prod.FindQueue("orders")!, 500);

        Assert.StartsWith("Wake-up: none needed", explanation.Summary[0], StringComparison.Ordinal);
        Assert.DoesNotContain(explanation.Timeline, t => t.Text.StartsWith("KEDA", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_HpaSteps_NameTheArithmetic()
    {
        var prod = Policy.Find("prod")!;

        var explanation = QueueExplainer.Explain(prod, prod.FindQueue("payments")!, 2000);

        // 2000 waiting, target 20 → proposes 100; Pods 8 per 15 s from 1 replica allows 9.
        Assert.Contains(explanation.Timeline, t => t.Text.Contains("target 20 → proposes", StringComparison.Ordinal) && t.Text.Contains("allow 9", StringComparison.Ordinal));
    }

    [Fact]
    public void DefaultItems_IsOneMinuteOfTheDeclaredPeak()
    {
        var prod = Policy.Find("prod")!;

        Assert.Equal(Math.Ceiling(prod.Traffic.PeakOrdersPerSecond * 2 * 60), QueueExplainer.DefaultItems(prod, prod.FindQueue("inventory")!));
    }
}

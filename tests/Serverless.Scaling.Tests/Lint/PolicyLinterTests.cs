using Serverless.Scaling.Lint;
using Serverless.Scaling.Policy;
using Serverless.Testing.Policy;

namespace Serverless.Scaling.Tests.Lint;

public sealed class PolicyLinterTests
{
    /// <summary>
    /// Lints a variant of the frozen example policy (<see cref="PolicyText.Example"/>) against its catalog:
    /// the worked examples below keep their figures when a queue is added to the shipped policy.
    /// </summary>
    private static IReadOnlyList<Diagnostic> Lint(string yaml, string? environment = null) =>
        PolicyLinter.Lint(PolicyText.Valid(yaml), environment, PolicyText.ExampleCatalog);

    private static Diagnostic Single(IReadOnlyList<Diagnostic> findings, string code, string environment)
    {
        var matching = findings.Where(d => d.Code == code && d.Environment == environment).ToList();
        Assert.True(matching.Count == 1, $"expected one {code} in {environment}, got: {string.Join(Environment.NewLine, findings)}");
        return matching[0];
    }

    [Fact]
    public void Lint_CheckedInPolicy_HasNoFinding()
    {
        // Issue 10: the shipped policy is on the work signal; its pools at floor 0 no longer sleep under load.
        var findings = PolicyLinter.Lint(PolicyText.Valid(PolicyText.CheckedIn));

        Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
    }

    [Fact]
    public void Lint_BacklogSignal_OnlyWarnsThatProdPoolsSleepUnderLoad()
    {
        var findings = Lint(PolicyText.ExampleBacklog);

        Assert.All(findings, d => Assert.Equal((Severity.Warning, "scale-to-zero-under-load", "prod"), (d.Severity, d.Code, d.Environment)));
        Assert.Equal(
            ["queues.inventory.minReplicas", "queues.notifications.minReplicas", "queues.order-projection.minReplicas", "queues.payments.minReplicas"],
            findings.Select(d => d.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Lint_ActivationAtTarget_IsAnErrorWithTheFix()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "      payments: {maxReplicas: 2,", "      payments: {activationThreshold: 20, maxReplicas: 2,"));

        var finding = Single(findings, "activation-not-below-target", "dev");
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Equal("queues.payments.activationThreshold", finding.Field);
        Assert.Contains("below 20", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_CooldownShorterThanLongestTask_IsAnError()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.ExampleBacklog, "payments: {maxReplicas: 2, cooldownSeconds: 60,", "payments: {maxReplicas: 2, cooldownSeconds: 10,"));

        var finding = Single(findings, "cooldown-shorter-than-task", "dev");
        Assert.Equal(Severity.Error, finding.Severity);
        Assert.Equal(PolicyText.LineOf(PolicyText.Example, "payments: {maxReplicas: 2, cooldownSeconds: 60,"), finding.Location.Line);
    }

    [Fact]
    public void Lint_CooldownShorterThanLongestTaskOnWork_IsFineBecauseWorkInFlightCounts()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "payments: {maxReplicas: 2, cooldownSeconds: 60,", "payments: {maxReplicas: 2, cooldownSeconds: 10,"));

        Assert.DoesNotContain(findings, d => d.Code == "cooldown-shorter-than-task");
    }

    [Fact]
    public void Lint_PendingMetricAtZero_CannotWake()
    {
        var yaml = PolicyText.Replace(PolicyText.ExampleBacklog,
            "    consumerGroup: notifications\n    metric: lag                         # lagCount: the only mode that wakes a consumer from zero",
            "    consumerGroup: notifications\n    metric: pending") + PolicyText.ProdFloorOfOne("notifications");

        var findings = Lint(yaml);

        Assert.Equal(Severity.Error, Single(findings, "pending-cannot-wake", "dev").Severity);
        Assert.Equal(Severity.Warning, Single(findings, "pending-hides-backlog", "prod").Severity);
    }

    [Fact]
    public void Lint_PushActivationOnPendingMetric_IsAnError()
    {
        var yaml = PolicyText.Replace(PolicyText.ExampleBacklogWithDevPush,
            "    consumerGroup: notifications\n    metric: lag                         # lagCount: the only mode that wakes a consumer from zero",
            "    consumerGroup: notifications\n    metric: pending");

        var finding = Single(Lint(yaml), "push-needs-lag", "dev");

        Assert.Equal((Severity.Error, "queues.notifications.activation"), (finding.Severity, finding.Field));
    }

    [Fact]
    public void Lint_NoBehavior_IsAWarning()
    {
        const string behavior = "  behavior:\n    scaleUp:\n      stabilizationWindowSeconds: 0\n      selectPolicy: Max\n      policies:\n"
            + "        - {type: Pods, value: 8, periodSeconds: 15}\n        - {type: Percent, value: 100, periodSeconds: 15}\n"
            + "    scaleDown:\n      stabilizationWindowSeconds: 300\n      policies:\n        - {type: Percent, value: 50, periodSeconds: 60}\n";
        var yaml = PolicyText.Replace(PolicyText.Example, behavior, string.Empty);

        var findings = Lint(yaml, "prod");

        Assert.Equal(5, findings.Count(d => d.Code == "no-explicit-behavior" && d.Severity == Severity.Warning));
    }

    [Fact]
    public void Lint_MaxReplicasTooSmallForThePeak_IsACapacityError()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "    maxReplicas: 30\n", "    maxReplicas: 1\n"), "prod");

        var finding = Single(findings, "peak-capacity", "prod");
        Assert.Contains("29.51 items/s", finding.Message, StringComparison.Ordinal);
        Assert.Contains("at least 2", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_PeakWaitAboveSlo_IsAnErrorFromTheModel()
    {
        // Enough capacity, but a 2 s SLO cannot hold while the pool ramps from one replica through 15 s HPA syncs.
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "    slo: {queueWaitSeconds: 30}\n\n  notifications:", "    slo: {queueWaitSeconds: 1}\n\n  notifications:"), "prod");

        var finding = Single(findings, "peak-slo", "prod");
        Assert.Equal("queues.inventory.slo.queueWaitSeconds", finding.Field);
        Assert.Contains("simulated p99 queue wait", finding.Message, StringComparison.Ordinal);
        Assert.Contains("maxReplicas × target = 600", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_TemporalPollingAboveBudget_IsAnError()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.ExampleBacklog, "rateBudgetPerSecond: 5", "rateBudgetPerSecond: 0.5"));

        var finding = Single(findings, "temporal-rate-budget", "prod");
        Assert.Contains("1.07 times/s", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_PushScalerReadsAboveBudget_CountsBothReadsPerPollAndTheRecheck()
    {
        // Per queue type: 2 × (1/5 + 1/15) + 1/2 = 1.03 calls/s; orders has two types, payments and inventory one.
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "rateBudgetPerSecond: 5", "rateBudgetPerSecond: 4"));

        var finding = Single(findings, "temporal-rate-budget", "prod");
        Assert.Contains("4.13 times/s", finding.Message, StringComparison.Ordinal);
        Assert.Contains("orders 2.07/s, payments 1.03/s, inventory 1.03/s", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_WorkflowWorkerAtZero_IsAnError()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "    minReplicas: 1                      # sticky", "    minReplicas: 0                      # sticky"));

        Assert.Equal(Severity.Error, Single(findings, "workflow-worker-at-zero", "prod").Severity);
    }

    [Fact]
    public void Lint_ScaleToZeroUnderSteadyLoad_IsAWarningInProdOnly()
    {
        var findings = Lint(PolicyText.ExampleBacklog);

        Assert.Contains(findings, d => (d.Code, d.Field, d.Environment, d.Severity) == ("scale-to-zero-under-load", "queues.payments.minReplicas", "prod", Severity.Warning));
        Assert.DoesNotContain(findings, d => d.Code == "scale-to-zero-under-load" && d.Environment == "dev");
    }

    [Fact]
    public void Lint_FloorOfOneInProd_SilencesTheScaleToZeroWarning()
    {
        var findings = Lint(PolicyText.ExampleBacklog + PolicyText.ProdFloorOfOne("payments"), "prod");

        Assert.DoesNotContain(findings, d => d.Code == "scale-to-zero-under-load" && d.Field == "queues.payments.minReplicas");
    }

    [Fact]
    public void Lint_WakeUpLongerThanSlo_IsAWarning()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.ExampleBacklog, "    slo: {queueWaitSeconds: 60}", "    slo: {queueWaitSeconds: 15}"), "dev");

        var finding = Single(findings, "wake-up-exceeds-slo", "dev");
        Assert.Equal((Severity.Warning, "queues.notifications.pollingIntervalSeconds"), (finding.Severity, finding.Field));
    }

    [Fact]
    public void Lint_WakeUpLongerThanSloOnWork_CountsStartUpOnlyBecauseThePushScalerWakesAtOnce()
    {
        var within = Lint(PolicyText.Replace(PolicyText.Example, "    slo: {queueWaitSeconds: 60}", "    slo: {queueWaitSeconds: 15}"), "dev");
        var beyond = Lint(PolicyText.Replace(PolicyText.Example, "    slo: {queueWaitSeconds: 60}", "    slo: {queueWaitSeconds: 10}"), "dev");

        Assert.DoesNotContain(within, d => d.Code == "wake-up-exceeds-slo");
        var finding = Single(beyond, "wake-up-exceeds-slo", "dev");
        Assert.Equal("queues.notifications.workload.startupSeconds", finding.Field);
        Assert.Contains("start-up 15 s", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_WorkWithoutActivationWindowUnderSteadyTraffic_IsAWarningWithTheGap()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "  activationWindowSeconds: 120 ", "  activationWindowSeconds: 0   "), "prod");

        var finding = Single(findings.Where(d => d.Field == "queues.payments.activationWindowSeconds").ToList(), "activation-window-zero", "prod");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains("an item arrives every 4 s", finding.Message, StringComparison.Ordinal);
        Assert.Contains("at least the gap between items at the quietest hour (4 s)", finding.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(findings, d => d.Code == "scale-to-zero-under-load");
    }

    [Fact]
    public void Lint_ActivationWindowShorterThanTheQuietestGap_IsAWarning()
    {
        // Quietest hour in prod: 0.87 orders/s × 0.3 = 0.26 payments/s, one every 4 s.
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "  activationWindowSeconds: 120 ", "  activationWindowSeconds: 2   "), "prod");

        var finding = Single(findings.Where(d => d.Field == "queues.payments.activationWindowSeconds").ToList(), "activation-window-below-gap", "prod");
        Assert.Contains("raise activationWindowSeconds to at least 4", finding.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(findings, d => d.Code == "activation-window-below-gap" && d.Field == "queues.notifications.activationWindowSeconds");
    }

    [Fact]
    public void Lint_WorkOnPendingMetric_WarnsThatTheMetricIsIgnored()
    {
        var yaml = PolicyText.Replace(
            "    consumerGroup: notifications\n    metric: lag                         # lagCount: the only mode that wakes a consumer from zero",
            "    consumerGroup: notifications\n    metric: pending");

        var findings = Lint(yaml, "prod");

        Assert.Equal(Severity.Warning, Single(findings, "metric-ignored-by-work", "prod").Severity);
        Assert.DoesNotContain(findings, d => d.Code is "pending-cannot-wake" or "push-needs-lag");
    }

    [Fact]
    public void Lint_NoFallback_IsAWarning()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "  fallback: {failureThreshold: 3, replicas: 2}\n", string.Empty), "prod");

        Assert.Equal(2, findings.Count(d => d.Code == "no-fallback"));
    }

    [Fact]
    public void Lint_OneEnvironment_OnlyReportsThatEnvironment()
    {
        var findings = Lint(PolicyText.Replace(PolicyText.Example, "rateBudgetPerSecond: 5", "rateBudgetPerSecond: 0.5"), "dev");

        Assert.All(findings, d => Assert.Equal("dev", d.Environment));
    }
}

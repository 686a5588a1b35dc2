using Serverless.Catalog;
using Serverless.Naming;
using Serverless.Scaling.Policy;
using Serverless.Testing.Policy;

namespace Serverless.Scaling.Tests.Policy;

public sealed class PolicyLoaderTests
{
    [Fact]
    public void Parse_CheckedInPolicy_LoadsEveryCatalogQueueInEveryEnvironment()
    {
        var policy = PolicyText.Valid(PolicyText.CheckedIn);
        var catalog = ServiceCatalog.Shipped.Queues.Select(q => q.Name).Concat(ServiceCatalog.Shipped.Consumers.Select(c => c.Name));

        Assert.Equal(["dev", "prod"], policy.Environments.Select(e => e.Name));
        Assert.Subset(catalog.ToHashSet(), new HashSet<string>(["orders", "payments", "inventory", "notifications", "order-projection"]));
        foreach (var environment in policy.Environments)
        {
            Assert.Equal(catalog.Order(StringComparer.Ordinal), environment.Queues.Select(q => q.Name).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Parse_CheckedInPolicy_MatchesTheSystemsQueuesAndDeployments()
    {
        var prod = PolicyText.Valid(PolicyText.CheckedIn).Find("prod")!;

        var orders = prod.FindQueue("orders")!;
        Assert.Equal(("workflow-worker", 1), (orders.Deployment, orders.Scaling.MinReplicas));
        Assert.Equal([TemporalQueueType.Workflow, TemporalQueueType.Activity], ((TemporalQueueSource)orders.Source).QueueTypes);
        Assert.Equal([TemporalQueueType.Activity], ((TemporalQueueSource)prod.FindQueue("payments")!.Source).QueueTypes);
        Assert.Equal("inventory-worker", prod.FindQueue("inventory")!.Deployment);
        Assert.Equal(new RedisStreamSource("{environment}-orders", "notifications", StreamMetric.Lag), prod.FindQueue("notifications")!.Source);
        Assert.Equal(("projection-consumer", "order-projection"), (prod.FindQueue("order-projection")!.Deployment, ((RedisStreamSource)prod.FindQueue("order-projection")!.Source).ConsumerGroup));
        Assert.Equal("prod", prod.Temporal!.Namespace);
    }

    [Theory]
    [InlineData("\\n")]
    [InlineData("\\r\\n")]
    public void Parse_NameEndingInALineBreak_IsInvalid(string lineBreak)
    {
        // A YAML block scalar or an escaped string can end in a line break; `$` alone would accept it.
        var yaml = PolicyText.Replace("deployment: payments-worker", $"deployment: \"payments-worker{lineBreak}\"");

        var result = PolicyText.Parse(yaml);

        Assert.Contains(result.Diagnostics, d => d.Severity == Severity.Error && d.Field.EndsWith(".deployment", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("qa2")]
    [InlineData("abcdefghijklmnopqrst")]
    [InlineData("Qa")]
    [InlineData("qa-blue")]
    [InlineData("2qa")]
    [InlineData("q")]
    [InlineData("abcdefghijklmnopqrstu")]
    [InlineData("{environment}")]
    public void Parse_EnvironmentName_RefusedExactlyWhenTheResourceRuleRefusesIt(string name)
    {
        var result = PolicyText.Parse(PolicyText.CheckedIn + $"  \"{name}\": {{}}\n");

        var refused = result.Diagnostics.Any(d => d.Code == "invalid-value" && d.Field == $"environments.{name}");
        Assert.Equal(!ResourceNames.IsValidEnvironment(name), refused);
    }

    [Fact]
    public void Parse_EnvironmentOverride_WinsOverQueueAndDefaults()
    {
        var policy = PolicyText.Valid(PolicyText.CheckedIn);

        var dev = policy.Find("dev")!.FindQueue("payments")!;
        var prod = policy.Find("prod")!.FindQueue("payments")!;

        Assert.Equal((2, 60, 1), (dev.Scaling.MaxReplicas, dev.Scaling.CooldownSeconds, dev.Scaling.Fallback!.Replicas));
        Assert.Equal((16, 300, 2), (prod.Scaling.MaxReplicas, prod.Scaling.CooldownSeconds, prod.Scaling.Fallback!.Replicas));
        Assert.Equal(500, policy.Find("dev")!.Traffic.OrdersPerDay);
        Assert.Equal(10, policy.Find("dev")!.Traffic.Spike.Factor);
    }

    [Fact]
    public void Parse_PushActivationWithoutPushScaler_IsAMissingConnection()
    {
        var yaml = PolicyText.Replace(
            "  pushScaler:                           # workers/Serverless.Scaler (keda/components/push-scaler): signal work, activation push\n    address: \"serverless-scaler.serverless-{environment}.svc.cluster.local:9090\"\n",
            string.Empty);

        var result = PolicyText.Parse(yaml);

        Assert.Contains(result.Diagnostics, d => d.Code == "missing-field" && d.Field == "connections.pushScaler" && d.Environment is null or "dev");
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void Parse_PushActivation_IsPerEnvironment()
    {
        var policy = PolicyText.Valid(PolicyText.BacklogWithDevPush);

        Assert.Equal(TriggerActivation.Push, policy.Find("dev")!.FindQueue("notifications")!.Activation);
        Assert.Equal(TriggerActivation.Poll, policy.Find("prod")!.FindQueue("notifications")!.Activation);
        Assert.Equal("serverless-scaler.serverless-prod.svc.cluster.local:9090", policy.Find("prod")!.PushScaler!.Address);
    }

    [Fact]
    public void Parse_CheckedInPolicy_PutsEveryQueueOnTheWorkSignalWithItsWindow()
    {
        var policy = PolicyText.Valid(PolicyText.CheckedIn);

        Assert.All(policy.Environments.SelectMany(e => e.Queues), q =>
            Assert.Equal((ScalingSignal.Work, 120, TriggerActivation.Push, true), (q.Signal, q.ActivationWindowSeconds, q.Activation, q.UsesPushScaler)));
    }

    [Fact]
    public void Parse_NoSignal_IsTheBacklogSignalWithoutWindow()
    {
        var yaml = PolicyText.Replace("  signal: work\n  activationWindowSeconds: 120          # chosen", "  # chosen");

        var payments = PolicyText.Valid(yaml).Find("prod")!.FindQueue("payments")!;

        Assert.Equal((ScalingSignal.Backlog, 0, TriggerActivation.Poll, false), (payments.Signal, payments.ActivationWindowSeconds, payments.Activation, payments.UsesPushScaler));
    }

    [Fact]
    public void Parse_SignalAndWindowInAnEnvironmentOverride_WinOverDefaults()
    {
        var yaml = PolicyText.Replace("      payments: {maxReplicas: 2,", "      payments: {signal: backlog, activationWindowSeconds: 30, maxReplicas: 2,");

        var policy = PolicyText.Valid(yaml);

        var dev = policy.Find("dev")!.FindQueue("payments")!;
        Assert.Equal((ScalingSignal.Backlog, 30, TriggerActivation.Poll), (dev.Signal, dev.ActivationWindowSeconds, dev.Activation));
        Assert.Equal(ScalingSignal.Work, policy.Find("prod")!.FindQueue("payments")!.Signal);
    }

    [Fact]
    public void Parse_UnknownSignal_ReportsFileLineColumnAndSuggestion()
    {
        var yaml = PolicyText.Replace("      payments: {maxReplicas: 2,", "      payments: {signal: wrok, maxReplicas: 2,");

        var result = PolicyText.Parse(yaml);

        var error = Assert.Single(result.Diagnostics, d => d.Code == "invalid-value");
        Assert.Equal(("scalers.yaml", PolicyText.LineOf(yaml, "signal: wrok"), "environments.dev.queues.payments.signal"), (error.Location.File, error.Location.Line, error.Field));
        Assert.Equal(yaml.Split('\n')[error.Location.Line - 1].IndexOf("wrok", StringComparison.Ordinal) + 1, error.Location.Column);
        Assert.Equal("did you mean 'work'?", error.Fix);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("86401")]
    [InlineData("\"120\"")]
    public void Parse_ActivationWindowOutsideZeroToADay_IsAnError(string value)
    {
        var yaml = PolicyText.Replace("  activationWindowSeconds: 120 ", $"  activationWindowSeconds: {value} ");

        var result = PolicyText.Parse(yaml);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(("defaults.activationWindowSeconds", PolicyText.LineOf(yaml, "activationWindowSeconds: ")), (error.Field, error.Location.Line));
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void Parse_PollActivationOnTheWorkSignal_IsAConflict()
    {
        var yaml = PolicyText.Replace("      notifications: {maxReplicas: 1, cooldownSeconds: 60}", "      notifications: {maxReplicas: 1, cooldownSeconds: 60, activation: poll}");

        var result = PolicyText.Parse(yaml);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(("invalid-value", PolicyText.LineOf(yaml, "activation: poll")), (error.Code, error.Location.Line));
        Assert.Contains("signal: work", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DefaultsBehavior_ReachesEveryQueue()
    {
        var prod = PolicyText.Valid(PolicyText.CheckedIn).Find("prod")!;

        Assert.All(prod.Queues, q => Assert.Equal(8, q.Scaling.Behavior!.ScaleUp!.Policies![0].Value));
    }

    [Fact]
    public void Parse_UnknownField_ReportsFileLineFieldAndSuggestion()
    {
        var yaml = PolicyText.Replace("    maxReplicas: 16\n", "    maxReplica: 16\n");

        var result = PolicyText.Parse(yaml);

        var unknown = Assert.Single(result.Diagnostics, d => d.Code == "unknown-field");
        Assert.Equal(("scalers.yaml", PolicyText.LineOf(yaml, "maxReplica: 16"), 5), (unknown.Location.File, unknown.Location.Line, unknown.Location.Column));
        Assert.Equal("queues.payments.maxReplica", unknown.Field);
        Assert.Contains("'maxReplicas'", unknown.Fix, StringComparison.Ordinal);
        Assert.Contains(result.Diagnostics, d => d.Code == "missing-field" && d.Field == "queues.payments.maxReplicas");
        Assert.Null(result.Policy);
    }

    [Fact]
    public void Parse_WrongType_ReportsTheValuesPosition()
    {
        var yaml = PolicyText.Replace("targetPerReplica: 20                # one replica's activity slots", "targetPerReplica: twenty");

        var wrong = Assert.Single(PolicyText.Parse(yaml).Diagnostics);

        Assert.Equal(("wrong-type", "queues.payments.targetPerReplica"), (wrong.Code, wrong.Field));
        Assert.Equal(PolicyText.LineOf(yaml, "targetPerReplica: twenty"), wrong.Location.Line);
        Assert.Equal(23, wrong.Location.Column);
        Assert.Contains("'twenty'", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_QuotedNumber_IsAWrongTypeWithTheFix()
    {
        var yaml = PolicyText.Replace("    maxReplicas: 16\n", "    maxReplicas: \"16\"\n");

        var wrong = Assert.Single(PolicyText.Parse(yaml).Diagnostics);

        Assert.Equal("wrong-type", wrong.Code);
        Assert.Contains("without quotes", wrong.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ValueInTheEnvironmentOverride_IsReportedAtTheOverridesLine()
    {
        var yaml = PolicyText.Replace("payments: {maxReplicas: 2,", "payments: {maxReplicas: -2,");

        var range = Assert.Single(PolicyText.Parse(yaml).Diagnostics);

        Assert.Equal(("out-of-range", "environments.dev.queues.payments.maxReplicas"), (range.Code, range.Field));
        Assert.Equal(PolicyText.LineOf(yaml, "payments: {maxReplicas: -2"), range.Location.Line);
    }

    [Fact]
    public void Parse_OverrideOfAnUndeclaredQueue_IsAnError()
    {
        var yaml = PolicyText.Replace("      orders: {maxReplicas: 1}\n", "      orders: {maxReplicas: 1}\n      billing: {maxReplicas: 1}\n");

        var unknown = Assert.Single(PolicyText.Parse(yaml).Diagnostics);

        Assert.Equal(("unknown-queue", "environments.dev.queues.billing"), (unknown.Code, unknown.Field));
    }

    [Fact]
    public void Parse_KindSpecificFieldOnTheOtherKind_IsUnknown()
    {
        var yaml = PolicyText.Replace("    consumerGroup: notifications\n", "    consumerGroup: notifications\n    queueTypes: [activity]\n");

        var unknown = Assert.Single(PolicyText.Parse(yaml).Diagnostics);

        Assert.Equal("unknown-field", unknown.Code);
        Assert.Contains("redis-stream", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownFieldInDefaults_IsReportedOnce()
    {
        var yaml = PolicyText.Replace("  pollingIntervalSeconds: 5\n", "  pollingIntervalSeconds: 5\n  taskQueue: shared\n");

        var unknown = Assert.Single(PolicyText.Parse(yaml).Diagnostics);

        Assert.Equal("defaults.taskQueue", unknown.Field);
    }

    [Fact]
    public void Parse_MinAboveMax_IsAnError()
    {
        var yaml = PolicyText.Replace("      orders: {maxReplicas: 1}", "      orders: {maxReplicas: 1, minReplicas: 2}");

        Assert.Contains(PolicyText.Parse(yaml).Diagnostics, d => d.Code == "min-above-max");
    }

    [Fact]
    public void Parse_EmptyPoliciesList_IsRejectedLikeTheApiServer()
    {
        var yaml = PolicyText.Replace("      policies:\n        - {type: Percent, value: 50, periodSeconds: 60}\n", "      policies: []\n");

        Assert.Contains(PolicyText.Parse(yaml).Diagnostics, d => d.Code == "invalid-value" && d.Field.EndsWith("policies", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_InvalidEnumValue_SuggestsTheClosestName()
    {
        var yaml = PolicyText.Replace("selectPolicy: Max", "selectPolicy: max");

        var invalid = Assert.Single(PolicyText.Parse(yaml).Diagnostics);

        Assert.Contains("'Max'", invalid.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_YamlSyntaxError_ReportsItsPosition()
    {
        var result = PolicyText.Parse("version: 1\nqueues:\n  orders: [unclosed\n");

        var syntax = Assert.Single(result.Diagnostics);
        Assert.Equal("yaml-syntax", syntax.Code);
        Assert.True(syntax.Location.Line >= 3);
    }

    [Fact]
    public void Parse_DuplicateKey_IsReported()
    {
        var yaml = PolicyText.Replace("    maxReplicas: 16\n", "    maxReplicas: 16\n    maxReplicas: 17\n");

        Assert.Contains(PolicyText.Parse(yaml).Diagnostics, d => d.Code is "duplicate-field" or "yaml-syntax");
    }

    [Fact]
    public void Parse_TwoQueuesOnOneDeployment_IsAnError()
    {
        var yaml = PolicyText.Replace("    deployment: inventory-worker\n", "    deployment: payments-worker\n");

        Assert.Contains(PolicyText.Parse(yaml).Diagnostics, d => d.Code == "deployment-scaled-twice");
    }
}

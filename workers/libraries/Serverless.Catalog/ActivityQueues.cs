namespace Serverless.Catalog;

/// <summary>
/// The activity-queue catalog: every Temporal task queue of the system, once. A queue here is polled by the
/// worker host (its default <c>Workers:Poll</c> is all of them), must have a queue of its name in
/// keda/scalers.yaml (<c>scalers lint</c>) and is deployed as its entry says (<c>scalers render</c>, the
/// manifest tests).
/// </summary>
public static class ActivityQueues
{
    /// <summary>This file, for findings that say where to fix an entry.</summary>
    public const string SourceFile = "workers/libraries/Serverless.Catalog/ActivityQueues.cs";

    /// <summary>
    /// The order workflow's own queue. Its pool also polls activities: orders started before
    /// OrderWorkflow.EventsAsLocalActivitiesPatch still publish their events as activities here.
    /// </summary>
    public static ActivityQueue Orders { get; } = new("orders", "workflow-worker", TaskTypes.Workflow | TaskTypes.Activity, SlotsPerReplica: 50)
    {
        // It hosts the workflows, publishes through a Dapr sidecar and relays the order outbox.
        HandWrittenDeployment = true,
    };

    public static ActivityQueue Payments { get; } = new("payments", "payments-worker", TaskTypes.Activity, SlotsPerReplica: 20)
    {
        SimulatedIntegrations = [new("Integrations:PaymentGateway:BaseAddress", "payments/")],
    };

    public static ActivityQueue Inventory { get; } = new("inventory", "inventory-worker", TaskTypes.Activity, SlotsPerReplica: 20)
    {
        SimulatedIntegrations = [new("Integrations:Inventory:BaseAddress", "inventory/")],
    };

    public static IReadOnlyList<ActivityQueue> All { get; } = [Orders, Payments, Inventory];
}

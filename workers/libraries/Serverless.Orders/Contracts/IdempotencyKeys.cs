namespace Serverless.Orders.Contracts;

/// <summary>
/// Keys sent to external systems with every effectful call. They depend only on the workflow id
/// and the step, so every retry of an activity (on any worker, after any crash) sends the same key
/// and the external system applies the effect at most once (architecture §5).
/// </summary>
public static class IdempotencyKeys
{
    public static string For(string workflowId, string step) => $"{workflowId}:{step}";
}

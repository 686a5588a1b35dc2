namespace Serverless.Simulators;

/// <summary>Latency and failures of a simulated system, drawn from one (optionally seeded) source.</summary>
public sealed class FaultInjector(FaultOptions options)
{
    private readonly Random random = options.Seed is { } seed ? new Random(seed) : new Random();
    private readonly Lock gate = new();

    public Task DelayAsync(CancellationToken cancellationToken)
    {
        var span = options.MaxLatency - options.MinLatency;
        var delay = options.MinLatency + (span * Draw());
        return delay > TimeSpan.Zero ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;
    }

    public bool FailsBeforeEffect() => Draw() < options.TransientFailureRate;

    public bool LosesResponse() => Draw() < options.ResponseLossRate;

    private double Draw()
    {
        // Simulated faults, not security: a seeded generator makes runs repeatable.
        lock (gate)
        {
#pragma warning disable CA5394 // Insecure randomness is intended: this draws simulated faults.
            return random.NextDouble();
#pragma warning restore CA5394
        }
    }
}

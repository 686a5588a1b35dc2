namespace Serverless.Simulators;

/// <summary>How badly a simulated system behaves.</summary>
public class FaultOptions
{
    public TimeSpan MinLatency { get; set; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan MaxLatency { get; set; } = TimeSpan.FromMilliseconds(120);

    /// <summary>Share of calls answered 503 before any effect (0..1).</summary>
    public double TransientFailureRate { get; set; }

    /// <summary>
    /// Share of calls whose effect is applied but whose answer is lost (503 after the effect):
    /// the case that makes idempotency keys necessary.
    /// </summary>
    public double ResponseLossRate { get; set; }

    /// <summary>Fixed seed for repeatable runs; random when unset.</summary>
    public int? Seed { get; set; }

    public IEnumerable<string> Validate(string section)
    {
        if (MinLatency < TimeSpan.Zero || MaxLatency < MinLatency)
        {
            yield return $"{section}: latency must satisfy 0 <= MinLatency <= MaxLatency (got {MinLatency} .. {MaxLatency}).";
        }

        if (TransientFailureRate is < 0 or > 1 || ResponseLossRate is < 0 or > 1)
        {
            yield return $"{section}: TransientFailureRate and ResponseLossRate must be between 0 and 1.";
        }
    }
}

public sealed class PaymentGatewaySimulatorOptions : FaultOptions
{
    public const string Section = "Simulators:PaymentGateway";

    /// <summary>Payment tokens the simulated issuer always declines.</summary>
    public List<string> DeclinedTokens { get; set; } = ["tok_declined", "tok_insufficient_funds"];

    /// <summary>Charges above this amount are declined (issuer limit).</summary>
    public decimal MaxChargeAmount { get; set; } = 10_000m;
}

public sealed class InventorySimulatorOptions : FaultOptions
{
    public const string Section = "Simulators:Inventory";

    /// <summary>Units on hand per SKU; SKUs not listed start with <see cref="DefaultStock"/>.</summary>
    public Dictionary<string, int> Stock { get; set; } = new(StringComparer.Ordinal);

    public int DefaultStock { get; set; } = 1_000_000;

    /// <summary>How long an unconfirmed reservation holds stock.</summary>
    public TimeSpan ReservationTtl { get; set; } = TimeSpan.FromMinutes(15);
}

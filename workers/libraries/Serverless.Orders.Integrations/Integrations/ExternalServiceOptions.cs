namespace Serverless.Orders.Integrations;

/// <summary>Where an external system lives and how long we wait for it.</summary>
public class ExternalServiceOptions
{
    public Uri? BaseAddress { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c>. Comes from a secret, never from checked-in config.</summary>
    public string? ApiKey { get; set; }

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>All attempts of one call. Must stay below the activity's start-to-close timeout (60 s).</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>In-call retries; Temporal's retry policy takes over beyond these.</summary>
    public int MaxRetries { get; set; } = 2;

    public IEnumerable<string> Validate(string section)
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri || BaseAddress.Scheme is not ("http" or "https"))
        {
            yield return $"{section}:BaseAddress must be an absolute http(s) URL, got '{BaseAddress}'.";
        }

        if (AttemptTimeout <= TimeSpan.Zero || TotalTimeout <= TimeSpan.Zero)
        {
            yield return $"{section}:AttemptTimeout and {section}:TotalTimeout must be positive.";
        }
        else if (AttemptTimeout > TotalTimeout)
        {
            yield return $"{section}:AttemptTimeout ({AttemptTimeout}) must not exceed {section}:TotalTimeout ({TotalTimeout}).";
        }

        if (TotalTimeout >= TimeSpan.FromSeconds(60))
        {
            yield return $"{section}:TotalTimeout ({TotalTimeout}) must stay below the activities' 60 s start-to-close timeout.";
        }

        if (MaxRetries is < 0 or > 10)
        {
            yield return $"{section}:MaxRetries must be between 0 and 10, got {MaxRetries}.";
        }
    }
}

public enum PaymentGatewayMode
{
    /// <summary>The in-repo simulator: no money moves.</summary>
    Simulator,

    /// <summary>The provider's test environment: no money moves.</summary>
    Sandbox,

    /// <summary>Real cards are charged. Only the prod environment may use it.</summary>
    Live,
}

public sealed class PaymentGatewayOptions : ExternalServiceOptions
{
    public const string Section = "Integrations:PaymentGateway";

    public PaymentGatewayMode Mode { get; set; } = PaymentGatewayMode.Simulator;
}

public sealed class InventoryServiceOptions : ExternalServiceOptions
{
    public const string Section = "Integrations:Inventory";
}

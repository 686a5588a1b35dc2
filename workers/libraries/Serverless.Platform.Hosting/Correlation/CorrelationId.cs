using System.Diagnostics;

namespace Serverless.Platform.Correlation;

/// <summary>
/// The correlation id of the work in progress. It enters at HTTP (or is created there), travels in
/// Temporal headers and CloudEvent attributes, and is put in the logging scope of every hop
/// (architecture §7).
/// </summary>
public static class CorrelationId
{
    public const string HttpHeader = "X-Correlation-Id";

    /// <summary>Key of the Temporal header that carries it.</summary>
    public const string TemporalHeader = "serverless-correlation-id";

    /// <summary>Name of the logging scope property.</summary>
    public const string LogProperty = "CorrelationId";

    private static readonly AsyncLocal<string?> CurrentValue = new();

    public static string? Current
    {
        get => CurrentValue.Value;
        set => CurrentValue.Value = value;
    }

    /// <summary>A new id: the current trace id when there is one, so logs and traces line up.</summary>
    public static string New() =>
        Activity.Current is { TraceId: var traceId } && traceId != default ? traceId.ToHexString() : Guid.NewGuid().ToString("N");

    /// <summary>Accepts an inbound id only if it is short, printable ASCII: it ends up in logs and headers.</summary>
    public static bool IsAcceptable(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 128 && value.All(c => c is > ' ' and < (char)127);
}

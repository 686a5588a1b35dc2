namespace Serverless.Orders.Integrations;

/// <summary>
/// Result of a call to an external system: either the value, or a business rejection with the
/// system's code and message. Transient faults are not results: they throw, so the caller's retry
/// policy handles them.
/// </summary>
public sealed record ExternalCallResult<T>(T? Value, ApiErrorBody? Rejection)
    where T : class
{
    public bool Succeeded => Rejection is null;
}

public static class ExternalCallResult
{
    public static ExternalCallResult<T> Success<T>(T value)
        where T : class => new(value, null);

    public static ExternalCallResult<T> Rejected<T>(ApiErrorBody rejection)
        where T : class => new(null, rejection);
}

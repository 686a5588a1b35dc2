namespace Serverless.Functions;

/// <summary>Settings of the order functions, the same in both hosts (section <c>Functions</c>).</summary>
public sealed class FunctionsOptions
{
    public const string Section = "Functions";

    /// <summary>Largest request body accepted; larger ones get <c>413</c> before they are parsed.</summary>
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Bound on one call to Temporal (start, query, signal), SDK retries included. Past it the
    /// request is answered <c>503</c>: a front door must answer fast even when Temporal does not.
    /// </summary>
    public TimeSpan TemporalCallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>Retry-After</c> sent with a <c>503</c> when Temporal is unreachable.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The push scaler's HTTP address (<c>http://serverless-scaler:8083/</c>). When set, starting a
    /// workflow wakes its task queue at once; unset, queues wake on KEDA's polling interval.
    /// </summary>
    public Uri? ScalerNotifyUrl { get; set; }

    public IEnumerable<string> Validate()
    {
        if (MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            yield return $"Functions:MaxRequestBodyBytes must be between 1024 and 16777216 bytes; got {MaxRequestBodyBytes}.";
        }

        if (TemporalCallTimeout < TimeSpan.FromMilliseconds(100) || TemporalCallTimeout > TimeSpan.FromMinutes(1))
        {
            yield return $"Functions:TemporalCallTimeout must be between 00:00:00.1 and 00:01:00; got {TemporalCallTimeout}.";
        }

        if (RetryAfter < TimeSpan.FromSeconds(1) || RetryAfter > TimeSpan.FromHours(1))
        {
            yield return $"Functions:RetryAfter must be between 00:00:01 and 01:00:00; got {RetryAfter}.";
        }


        if (ScalerNotifyUrl is { } scaler && (!scaler.IsAbsoluteUri || scaler.Scheme is not ("http" or "https")))
        {
            yield return $"Functions:ScalerNotifyUrl must be an absolute http(s) URL of the push scaler; got '{scaler}'.";
        }
    }
}

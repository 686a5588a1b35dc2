using System.Collections.Concurrent;

namespace Serverless.Simulators;

/// <summary>
/// Remembers the answer given to each idempotency key, as real payment APIs do: a repeat with the
/// same key and body gets the same answer without a second effect; the same key with another body
/// is refused.
/// </summary>
public sealed class IdempotentResponses
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> locks = new(StringComparer.Ordinal);

    public int Count => entries.Count;

    /// <summary>
    /// Runs <paramref name="effect"/> once per key. Concurrent calls with one key are serialised so
    /// two in-flight retries cannot both apply the effect.
    /// </summary>
    public async Task<IResult> ExecuteAsync(string key, string fingerprint, Func<(int Status, object Body)> effect, bool loseAnswer)
    {
        var gate = locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            if (entries.TryGetValue(key, out var known))
            {
                return known.Fingerprint == fingerprint
                    ? Results.Json(known.Body, statusCode: known.Status)
                    : Results.Json(
                        new { code = "idempotency_key_reused", message = $"Idempotency-Key '{key}' was used with a different request." },
                        statusCode: StatusCodes.Status409Conflict);
            }

            var (status, body) = effect();
            entries[key] = new Entry(fingerprint, status, body);
            return loseAnswer
                ? SimulatedFaults.Unavailable("the effect was applied but its answer was lost")
                : Results.Json(body, statusCode: status);
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed record Entry(string Fingerprint, int Status, object Body);
}

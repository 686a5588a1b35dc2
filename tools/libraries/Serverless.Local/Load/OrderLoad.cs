using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;

namespace Serverless.Local.Load;

public sealed record LoadProgress(TimeSpan Elapsed, long Sent, long Accepted, long Failed, long SkippedAtCapacity, double CurrentRate, int InFlight);

public sealed record LoadReport(
    long Sent,
    long Accepted,
    IReadOnlyDictionary<string, long> Failures,
    long SkippedAtCapacity,
    TimeSpan Duration,
    double P50Milliseconds,
    double P95Milliseconds,
    double P99Milliseconds,
    double MaxMilliseconds)
{
    public long Failed => Failures.Values.Sum();

    public double AcceptedPerSecond => Duration > TimeSpan.Zero ? Accepted / Duration.TotalSeconds : 0;
}

/// <summary>
/// Drives <c>POST /api/orders</c> open-loop: orders are sent when the plan says, whether or not
/// earlier ones have answered (as customers do), up to <see cref="LoadPlan.MaxInFlight"/>; beyond it
/// an order is counted as skipped rather than silently delayed. Each order has its own idempotency key.
/// </summary>
public sealed class OrderLoad(HttpClient http, string apiKey)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private static readonly string[] Skus = ["SKU-1", "SKU-2", "SKU-3", "SKU-4"];

    public async Task<LoadReport> RunAsync(LoadPlan plan, Action<LoadProgress> progress, CancellationToken cancellationToken)
    {
        var latencies = new ConcurrentBag<double>();
        var failures = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var inFlight = new List<Task>();
        using var slots = new SemaphoreSlim(plan.MaxInFlight);
        long sent = 0, accepted = 0, skipped = 0, sequence = 0;
        var clock = Stopwatch.StartNew();
        var due = 0.0;
        var lastReport = TimeSpan.Zero;
        var last = TimeSpan.Zero;
        while (clock.Elapsed < plan.Duration && !cancellationToken.IsCancellationRequested)
        {
            var now = clock.Elapsed;
            due += plan.RateAt(now) * (now - last).TotalSeconds;
            last = now;
            for (; due >= 1; due--)
            {
                if (!slots.Wait(0, CancellationToken.None))
                {
                    skipped++;
                    continue;
                }

                sent++;
                var decline = plan.DeclineShare > 0 && (sequence++ % Math.Max(1, (long)Math.Round(1 / plan.DeclineShare))) == 0;
                inFlight.Add(SendAsync(decline, latencies, failures, () => Interlocked.Increment(ref accepted), slots, cancellationToken));
            }

            inFlight.RemoveAll(t => t.IsCompleted);
            if (now - lastReport >= TimeSpan.FromSeconds(1))
            {
                lastReport = now;
                progress(new LoadProgress(now, sent, Interlocked.Read(ref accepted), failures.Values.Sum(), skipped, plan.RateAt(now), inFlight.Count));
            }

            await Task.Delay(Tick, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Task.WhenAll(inFlight);
        var elapsed = clock.Elapsed;
        progress(new LoadProgress(elapsed, sent, accepted, failures.Values.Sum(), skipped, 0, 0));
        var sorted = latencies.Order().ToArray();
        return new LoadReport(
            sent,
            accepted,
            failures.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
            skipped,
            elapsed,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.95),
            Percentile(sorted, 0.99),
            sorted.Length == 0 ? 0 : sorted[^1]);
    }

    private async Task SendAsync(
        bool decline,
        ConcurrentBag<double> latencies,
        ConcurrentDictionary<string, long> failures,
        Action onAccepted,
        SemaphoreSlim slots,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/orders")
            {
                Content = JsonContent.Create(Order(decline)),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            request.Headers.Add("X-Api-Key", apiKey);
            using var response = await http.SendAsync(request, cancellationToken);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if ((int)response.StatusCode == 202)
            {
                onAccepted();
            }
            else
            {
                failures.AddOrUpdate($"HTTP {(int)response.StatusCode}", 1, (_, n) => n + 1);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            failures.AddOrUpdate(e is TaskCanceledException ? "timeout" : $"connection: {e.Message}", 1, (_, n) => n + 1);
        }
        finally
        {
            slots.Release();
        }
    }

    private static object Order(bool decline)
    {
#pragma warning disable CA5394 // Load shape, not security: any spread of SKUs and quantities will do.
        var lines = Enumerable.Range(0, Random.Shared.Next(1, 4))
            .Select(_ => new { sku = Skus[Random.Shared.Next(Skus.Length)], quantity = Random.Shared.Next(1, 4), unitPrice = 9.99m })
            .ToArray();
#pragma warning restore CA5394
        return new { customerId = "cust-load", lines, currency = "EUR", paymentToken = decline ? "tok_declined" : "tok_visa" };
    }

    private static double Percentile(double[] sorted, double share) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Length) - 1, 0, sorted.Length - 1)];
}

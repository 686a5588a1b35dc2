using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serverless.Local.Load;
using Serverless.Testing;

namespace Serverless.Local.Tests;

/// <summary>The load generator against a real loopback endpoint that records what it receives.</summary>
public sealed class OrderLoadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_SteadyRateWithSpike_SendsThePlannedOrdersWithKeysAndCountsAnswers()
    {
        var keys = new System.Collections.Concurrent.ConcurrentBag<string>();
        var declined = 0;
        await using var api = await StartApiAsync(async context =>
        {
            keys.Add(context.Request.Headers["Idempotency-Key"].ToString());
            using var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
            if (body.RootElement.GetProperty("paymentToken").GetString() == "tok_declined")
            {
                Interlocked.Increment(ref declined);
            }

            // Every tenth order is refused, to see failures counted by status.
            context.Response.StatusCode = keys.Count % 10 == 0 ? 503 : 202;
        });
        using var http = new HttpClient { BaseAddress = api.Address };
        var plan = new LoadPlan(20, TimeSpan.FromSeconds(2), SpikeFactor: 3, SpikeStart: TimeSpan.FromSeconds(1), SpikeLength: TimeSpan.FromSeconds(1), DeclineShare: 0.25);

        var report = await new OrderLoad(http, "key-1").RunAsync(plan, _ => { }, Ct);

        // 20/s for 1 s, then 60/s for 1 s: 80 orders, give or take the last tick.
        Assert.InRange(report.Sent, 70, 82);
        Assert.Equal(report.Sent, report.Accepted + report.Failed);
        Assert.Equal(report.Failed, report.Failures["HTTP 503"]);
        Assert.Equal(report.Sent, keys.Distinct().Count());
        Assert.InRange(declined, (int)(report.Sent / 4) - 1, (int)(report.Sent / 4) + 1);
        Assert.True(report.P50Milliseconds <= report.P99Milliseconds && report.P99Milliseconds <= report.MaxMilliseconds);
        Assert.Equal(0, report.SkippedAtCapacity);
    }

    [Fact]
    public async Task Run_ApiSlowerThanInFlightLimit_CountsSkippedOrdersInsteadOfQueueingThem()
    {
        var release = new TaskCompletionSource();
        await using var api = await StartApiAsync(async context =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10));
            context.Response.StatusCode = 202;
        });
        using var http = new HttpClient { BaseAddress = api.Address };
        var plan = new LoadPlan(50, TimeSpan.FromSeconds(1.5), MaxInFlight: 5);

        // The API answers nothing until the generator reports a second of orders skipped at capacity.
        var report = await new OrderLoad(http, "key-1").RunAsync(
            plan,
            progress =>
            {
                if (progress.SkippedAtCapacity >= 40)
                {
                    release.TrySetResult();
                }
            },
            Ct);

        Assert.True(release.Task.IsCompleted, "orders beyond the in-flight limit were skipped, not queued");
        Assert.Equal(report.Sent, report.Accepted);
        Assert.True(report.SkippedAtCapacity >= 40, $"skipped {report.SkippedAtCapacity}");
    }

    [Theory]
    [InlineData(0, 60, 1, 256, 0, "--rate")]
    [InlineData(5, 0, 1, 256, 0, "--duration")]
    [InlineData(5, 60, 0.5, 256, 0, "--spike-factor")]
    [InlineData(5, 60, 1, 0, 0, "--max-in-flight")]
    [InlineData(5, 60, 1, 256, 2, "--decline-share")]
    public void Validate_OutOfRange_NamesTheOption(double rate, int seconds, double spike, int inFlight, double decline, string option)
    {
        var plan = new LoadPlan(rate, TimeSpan.FromSeconds(seconds), spike, MaxInFlight: inFlight, DeclineShare: decline);

        Assert.StartsWith(option, Assert.Single(plan.Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectedOrders_SpikeInsideDuration_AddsTheExtraOrders()
    {
        var plan = new LoadPlan(2, TimeSpan.FromMinutes(3), SpikeFactor: 10, SpikeStart: TimeSpan.FromMinutes(1), SpikeLength: TimeSpan.FromMinutes(2));

        Assert.Equal((2 * 180) + (2 * 9 * 120), plan.ExpectedOrders, precision: 6);
    }

    private static async Task<Api> StartApiAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/api/orders", handler);
        await app.StartAsync(Ct);
        return new Api(app, app.ListeningAddress());
    }

    private sealed record Api(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Functions.SelfHost;
using Serverless.Functions.SelfHost.Edge;
using Serverless.Functions.Tests.Doubles;
using Serverless.Orders.Workflows;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Edge;

public sealed class ApiKeyTests(RecordedFunctionsFixture fixture) : IClassFixture<RecordedFunctionsFixture>
{
    [Fact]
    public async Task PlaceOrder_WithoutKey_Returns401WithChallengeAndStartsNothing()
    {
        var key = NewKey();

        using var response = await fixture.Host.Anonymous.SendAsync(PlaceOrder(key), Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("urn:serverless:problem:unauthorized", problem.GetProperty("type").GetString());
        Assert.Equal("ApiKey header=\"X-Api-Key\"", response.Headers.WwwAuthenticate.ToString());
        Assert.DoesNotContain(fixture.Temporal.Starts, s => s.WorkflowId == OrderStarter.OrderIdFor(key));
    }

    [Fact]
    public async Task PlaceOrder_WithoutApiKey_401StillCarriesTheIdempotencyKeyInEffect()
    {
        var key = NewKey();
        using var withKey = await fixture.Host.Anonymous.SendAsync(PlaceOrder(key), Ct);
        using var generated = await fixture.Host.Anonymous.SendAsync(PlaceOrder(idempotencyKey: null), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, withKey.StatusCode);
        Assert.Equal(key, Header(withKey, "Idempotency-Key"));
        Assert.Equal(HttpStatusCode.Unauthorized, generated.StatusCode);
        Assert.True(Guid.TryParse(Header(generated, "Idempotency-Key"), out _));
    }

    [Fact]
    public async Task PlaceOrder_KeyOfAnotherConfiguredClient_IsAccepted()
    {
        var otherKey = fixture.Host.Services.GetRequiredService<IOptions<SelfHostOptions>>().Value.ApiKeys["other"];
        using var client = fixture.Host.NewClient(otherKey);

        using var response = await client.SendAsync(PlaceOrder(NewKey()), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("health/live")]
    [InlineData("api/openapi.json")]
    public async Task AnonymousFunctions_WithoutKey_AreServed(string path)
    {
        using var response = await fixture.Host.Anonymous.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void FindClient_ConfiguredKeysAndNearMisses_MatchesOnlyExactKeys()
    {
        var ring = new ApiKeyRing(Options.Create(new SelfHostOptions
        {
            ApiKeys = new(StringComparer.Ordinal) { ["shop"] = "k-" + new string('a', 40), ["crm"] = "k-" + new string('b', 40) },
        }));

        Assert.Equal("shop", ring.FindClient("k-" + new string('a', 40)));
        Assert.Equal("crm", ring.FindClient("k-" + new string('b', 40)));
        Assert.Null(ring.FindClient("k-" + new string('a', 39) + "b"));
        Assert.Null(ring.FindClient("k-" + new string('a', 39)));
        Assert.Null(ring.FindClient("K-" + new string('a', 40)));
        Assert.Null(ring.FindClient(string.Empty));
        Assert.Null(ring.FindClient(new string('a', 5000)));
    }

    [Fact]
    public async Task Start_NoApiKeysConfigured_RefusesToStartSayingHowToSetThem()
    {
        await using var app = SelfHostApplication.Build([], builder =>
            FunctionsHost.Configure(builder, new Dictionary<string, string?> { ["SelfHost:ApiKeys:shop"] = "too-short" }, FunctionsHost.NewKey()));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(Ct));

        Assert.Contains(error.Failures, f => f.Contains("SelfHost:ApiKeys:shop must be at least 32", StringComparison.Ordinal));
    }
}

public sealed class RateLimitTests
{
    [Fact]
    public async Task Requests_OverOneClientsRate_Get429WithRetryAfterWhileOtherClientsPass()
    {
        await using var host = await FunctionsHost.StartAsync(new RecordingTemporal(), settings: new Dictionary<string, string?>
        {
            ["SelfHost:RateLimit:PermitsPerSecond"] = "1",
            ["SelfHost:RateLimit:Burst"] = "1",
        });
        var otherKey = host.Services.GetRequiredService<IOptions<SelfHostOptions>>().Value.ApiKeys["other"];
        using var other = host.NewClient(otherKey);
        const string unknownOrder = "api/orders/ord-000000000000000000000000";

        HttpResponseMessage? limited = null;
        for (var attempt = 0; attempt < 50 && limited is null; attempt++)
        {
            var response = await host.Client.GetAsync(unknownOrder, Ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        using var otherResponse = await other.GetAsync(unknownOrder, Ct);

        Assert.NotNull(limited);
        using (limited)
        {
            var problem = await ProblemAsync(limited, HttpStatusCode.TooManyRequests);
            Assert.Equal("urn:serverless:problem:rate-limited", problem.GetProperty("type").GetString());
            Assert.True(int.Parse(Header(limited, "Retry-After"), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        }

        Assert.Equal(HttpStatusCode.NotFound, otherResponse.StatusCode);
    }

    [Fact]
    public async Task PlaceOrder_RateLimited_429StillCarriesTheIdempotencyKeyInEffect()
    {
        await using var host = await FunctionsHost.StartAsync(new RecordingTemporal(), settings: new Dictionary<string, string?>
        {
            ["SelfHost:RateLimit:PermitsPerSecond"] = "1",
            ["SelfHost:RateLimit:Burst"] = "1",
        });

        string? limitedKey = null;
        for (var attempt = 0; attempt < 50 && limitedKey is null; attempt++)
        {
            var key = NewKey();
            using var response = await host.Client.SendAsync(PlaceOrder(key), Ct);
            Assert.Equal(key, Header(response, "Idempotency-Key"));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limitedKey = key;
            }
        }

        Assert.NotNull(limitedKey);
    }
}

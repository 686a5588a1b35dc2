using System.Net;
using System.Text.Json;
using Serverless.Functions.Http;
using Serverless.Orders.Workflows;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Edge;

/// <summary>
/// One problem vocabulary: whoever answers (a function, the edge, routing, the exception handler,
/// Kestrel's request parser), the problem type is <c>urn:serverless:problem:*</c>.
/// </summary>
public sealed class ProblemVocabularyTests(RecordedFunctionsFixture fixture) : IClassFixture<RecordedFunctionsFixture>
{
    public static TheoryData<string, string, HttpStatusCode, string> FrameworkAnswers => new()
    {
        { "GET", "api/nothing-here", HttpStatusCode.NotFound, ProblemResults.Types.NotFound },
        { "DELETE", "api/orders", HttpStatusCode.MethodNotAllowed, ProblemResults.Types.MethodNotAllowed },
        { "PATCH", $"api/orders/{OrderStarter.OrderIdFor("vocabulary")}/cancel", HttpStatusCode.MethodNotAllowed, ProblemResults.Types.MethodNotAllowed },
    };

    [Theory]
    [MemberData(nameof(FrameworkAnswers))]
    public async Task FrameworkAnswer_RoutingRefuses_IsAProblemOfOurVocabulary(string method, string path, HttpStatusCode status, string type)
    {
        using var response = await fixture.Host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        var problem = await ProblemAsync(response, status);
        Assert.Equal(type, problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task FrameworkAnswer_UnsupportedMediaTypeByRoute_IsAProblemOfOurVocabulary()
    {
        using var response = await fixture.Host.Client.SendAsync(PlaceOrder(NewKey(), contentType: "text/plain"), Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(ProblemResults.Types.UnsupportedMediaType, problem.GetProperty("type").GetString());
    }

    public static TheoryData<string, string, int> KestrelRejections => new()
    {
        { "method with a control character", "GE\u0001T /api/orders HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 400 },
        { "URI longer than the request line limit", $"GET /api/orders/{new string('a', 9000)} HTTP/1.1\r\nHost: localhost\r\n\r\n", 414 },
        { "headers larger than their limit", $"GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: {new string('h', 40_000)}\r\n\r\n", 431 },
        { "no Host header", "GET /health/live HTTP/1.1\r\n\r\n", 400 },
        { "two Content-Length headers", "POST /api/orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400 },
    };

    /// <summary>
    /// Kestrel answers these while parsing, before any middleware runs, with an empty body that the
    /// app cannot change (dotnet/aspnetcore, "this category of errors is not customisable"): the
    /// status is right and the connection closes; should a body ever come, it must be ours.
    /// </summary>
    [Theory]
    [MemberData(nameof(KestrelRejections))]
    public async Task KestrelRejection_BeforeTheApp_AnswersItsStatus(string name, string request, int status)
    {
        var response = RawResponse.Parse(await RawHttp.SendAsync(fixture.Host.Address, request));

        Assert.True(status == response.Status, $"{name}: expected {status}, got {response.Status}");
        if (response.Body.Length > 0)
        {
            using var problem = JsonDocument.Parse(response.Body);
            Assert.True(ProblemResults.Types.IsOurs(problem.RootElement.GetProperty("type").GetString()), response.Body);
        }
    }
}

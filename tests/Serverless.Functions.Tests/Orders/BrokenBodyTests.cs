using System.Text.Json;
using Microsoft.Extensions.Logging;
using Serverless.Functions.Http;
using Serverless.Functions.Tests.Doubles;

namespace Serverless.Functions.Tests.Orders;

/// <summary>
/// Bodies that break HTTP itself rather than JSON, written byte by byte over a raw socket (no HTTP
/// client would send them): Kestrel's body reader refuses them, and the client gets the 4xx that says
/// so with a problem body, never a 500, and nothing is logged as an error.
/// </summary>
public sealed class BrokenBodyTests
{
    public static TheoryData<string, string, string, int> Bodies => new()
    {
        { "chunk size not hex", "Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n", 400 },
        { "chunk size overflowing 64 bits", "Transfer-Encoding: chunked\r\n", "FFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n", 400 },
        { "chunk without its CRLF", "Transfer-Encoding: chunked\r\n", "2\r\n{}XX0\r\n\r\n", 400 },
        { "body shorter than Content-Length, then silence", "Content-Length: 100\r\n", "{", 408 },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task PlaceOrder_BodyKestrelRefuses_Gets4xxProblemAndNoErrorLog(string name, string headers, string body, int status)
    {
        var log = new RecordedLog();
        await using var host = await FunctionsHost.StartAsync(new RecordingTemporal(), log: log, settings: new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Microsoft.AspNetCore.Diagnostics"] = "Debug",
            // Redis (unreachable here) logs its reconnects as errors; they are not about this request.
            ["Logging:LogLevel:StackExchange.Redis"] = "None",
        });

        var response = RawResponse.Parse(await RawHttp.SendAsync(host.Address,
            $"POST /{Serverless.Functions.Orders.OrderLinks.Orders} HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: {host.ApiKey}\r\n" +
            $"Content-Type: application/json\r\nConnection: close\r\n{headers}\r\n{body}"));

        Assert.True(status == response.Status, $"{name}: expected {status}, got {response.Status}: {response.Body}");
        Assert.Equal(ProblemResults.ContentType, response.MediaType);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.StartsWith("urn:serverless:problem:", problem.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Empty(log.AtLeast(LogLevel.Error));
        Assert.Equal(0, host.Temporal.Calls);
    }
}

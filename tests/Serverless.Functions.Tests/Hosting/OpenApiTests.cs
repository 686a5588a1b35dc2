using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Serverless.Functions.OpenApi;
using static Serverless.Functions.Tests.Api;

namespace Serverless.Functions.Tests.Hosting;

/// <summary>
/// The OpenAPI description is generated from the function classes by the self-host and checked in
/// (the Functions host serves the checked-in copy): a change to the functions that changes the
/// description fails here until the checked-in file is updated with it.
/// </summary>
public sealed class OpenApiTests(RecordedFunctionsFixture fixture) : IClassFixture<RecordedFunctionsFixture>
{
    private static readonly string CheckedInPath = Path.Combine(AppContext.BaseDirectory, "Contract", "openapi.json");

    [Fact]
    public async Task OpenApi_ServedBySelfHost_EqualsTheCheckedInFile()
    {
        using var response = await fixture.Host.Anonymous.GetAsync(OpenApiFunctions.Route, Ct);
        var served = Normalize(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (served != Normalize(await File.ReadAllTextAsync(CheckedInPath, Ct)))
        {
            var received = Path.Combine(AppContext.BaseDirectory, "openapi.served.json");
            await File.WriteAllTextAsync(received, served, Ct);
            Assert.Fail(
                "The served OpenAPI description differs from functions/Serverless.Functions/OpenApi/openapi.json. " +
                $"If the change is intended, copy {received} over it.");
        }
    }

    [Fact]
    public async Task OpenApiDocument_FunctionsHost_ServesTheCheckedInFile()
    {
        var result = Assert.IsType<FileContentResult>(OpenApiFunctions.OpenApiDocument(new DefaultHttpContext().Request));

        Assert.Equal("application/json", result.ContentType);
        Assert.Equal(await File.ReadAllBytesAsync(CheckedInPath, Ct), result.FileContents);
    }

    private static string Normalize(string json) => json.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
}

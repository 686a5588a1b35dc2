using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serverless.Functions.Health;
using Serverless.Functions.Orders;
using Serverless.Functions.SelfHost;

namespace Serverless.Functions.Tests.Hosting;

/// <summary>
/// One set of handlers, two hosts. The Functions worker SDK's own build output
/// (<c>functions.metadata</c>, what the Functions host indexes) must describe exactly the routes the
/// self-host maps from the same attributes, and the worker's composition must be able to build
/// every function class (the host itself is not available here to run it).
/// </summary>
public sealed class FunctionsHostTests(RecordedFunctionsFixture fixture) : IClassFixture<RecordedFunctionsFixture>
{
    private sealed record MetadataRoute(string Name, string EntryPoint, string Route, string[] Methods, string AuthLevel);

    [Fact]
    public void FunctionsMetadata_OrderFunctions_AreTheRoutesTheSelfHostMaps()
    {
        var generated = ReadFunctionsMetadata().Where(f => f.EntryPoint.StartsWith(typeof(OrderFunctions).FullName + ".", StringComparison.Ordinal));

        var selfHosted = FunctionRoutes.Of(typeof(OrderFunctions));

        Assert.Equal(
            generated.Select(f => (f.Name, f.Route, string.Join(",", f.Methods.Select(m => m.ToUpperInvariant())), f.AuthLevel)).Order(),
            selfHosted.Select(r => (r.Name, r.Route, string.Join(",", r.Methods), r.Level.ToString())).Order());
        Assert.Equal(3, selfHosted.Count);
    }

    [Fact]
    public void FunctionsMetadata_EveryFunctionOfTheFunctionsHost_HasASelfHostEndpointAtTheSamePath()
    {
        var endpoints = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        foreach (var function in ReadFunctionsMetadata())
        {
            var served = endpoints.Any(e =>
                e.RoutePattern.RawText?.TrimStart('/') == function.Route
                && (e.Metadata.GetMetadata<HttpMethodMetadata>() is not { } methods
                    || function.Methods.All(m => methods.HttpMethods.Contains(m, StringComparer.OrdinalIgnoreCase))));
            Assert.True(served, $"{function.Name} ({string.Join(",", function.Methods)} /{function.Route}) has no self-host endpoint");
        }
    }

    [Fact]
    public void FunctionsWorker_Composition_BuildsEveryFunctionClass()
    {
        using var host = BuildWorker();

        Assert.NotNull(ActivatorUtilities.CreateInstance<OrderFunctions>(host.Services));
        Assert.NotNull(ActivatorUtilities.CreateInstance<HealthFunctions>(host.Services));
        Assert.Equal(64 * 1024, host.Services.GetRequiredService<IOptions<FunctionsOptions>>().Value.MaxRequestBodyBytes);
    }

    [Fact]
    public async Task Ready_FunctionsHost_AnswersTheStatusOnly()
    {
        using var host = BuildWorker(new Dictionary<string, string?> { ["Temporal:Address"] = "temporal.internal.example:7233" });

        var result = Assert.IsType<ObjectResult>(await ActivatorUtilities.CreateInstance<HealthFunctions>(host.Services).Ready(new DefaultHttpContext().Request));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, result.StatusCode);
        Assert.Equal("""{"status":"Unhealthy"}""", JsonSerializer.Serialize(result.Value));
    }

    private static IHost BuildWorker(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = FunctionsWorker.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serverless:Environment"] = "dev",
            ["Temporal:Address"] = "127.0.0.1:1",
            ["Redis:Configuration"] = "127.0.0.1:1",
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=serverless;Database=serverless",
            ["State:KeyPrefix"] = "dev-orders",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        return builder.Build();
    }

    private static List<MetadataRoute> ReadFunctionsMetadata()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Contract", "functions.metadata")));
        return document.RootElement.EnumerateArray().Select(function =>
        {
            var trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
            return new MetadataRoute(
                function.GetProperty("name").GetString()!,
                function.GetProperty("entryPoint").GetString()!,
                trigger.GetProperty("route").GetString()!,
                trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray(),
                trigger.GetProperty("authLevel").GetString()!);
        }).ToList();
    }
}

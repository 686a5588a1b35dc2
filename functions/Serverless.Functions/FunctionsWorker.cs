using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Serverless.Platform.Hosting;

namespace Serverless.Functions;

/// <summary>The Azure Functions isolated worker, composed once for Program and for the tests that check its composition.</summary>
public static class FunctionsWorker
{
    public const string ServiceName = "serverless-functions";

    public static FunctionsApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<FunctionsCorrelationMiddleware>();
        builder.AddServiceDefaults(ServiceName);
        builder.AddOrderFunctions();
        return builder;
    }
}

using Serverless.Functions.OpenApi;
using Serverless.Functions.Orders;
using Serverless.Functions.SelfHost.Edge;
using Serverless.Platform.Hosting;

namespace Serverless.Functions.SelfHost;

/// <summary>The self-host, composed once for the executable, the tests and the benchmark.</summary>
public static class SelfHostApplication
{
    public const string ServiceName = FunctionsWorker.ServiceName;

    /// <param name="args">Command line (configuration overrides).</param>
    /// <param name="configure">Last say over configuration and services (tests replace the Temporal client here).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddServiceDefaults(ServiceName);
        builder.AddOrderFunctions();
        builder.AddSelfHostEdge();
        configure?.Invoke(builder);
        builder.AddSelfHostListeners();

        var app = builder.Build();
        app.UseManagementPort();
        app.UseSelfHostEdge();
        app.MapHealthChecks(ServiceDefaults.LivePath, ServiceDefaults.LiveHealth(details: false));
        app.MapHealthChecks(ServiceDefaults.ReadyPath, ServiceDefaults.ReadyHealth(details: false));
        app.MapFunctions<OrderFunctions>();
        app.MapOpenApi(OpenApiFunctions.Route);
        return app;
    }
}

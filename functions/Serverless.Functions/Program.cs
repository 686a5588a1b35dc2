using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Serverless.Functions;
using Serverless.Platform.Hosting;

// The Azure Functions isolated worker. It runs only under the Functions host (which hands it
// Functions:Worker:HostEndpoint); for a run without the host use Serverless.Functions.SelfHost.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<FunctionsCorrelationMiddleware>();
builder.AddServiceDefaults("serverless-functions");
builder.AddOrderFunctions();
builder.Build().Run();

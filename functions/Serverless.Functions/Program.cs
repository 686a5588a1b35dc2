using Microsoft.Extensions.Hosting;
using Serverless.Functions;

// Runs only under the Functions host, which hands the worker Functions:Worker:HostEndpoint; without
// the host, run Serverless.Functions.SelfHost (the same function classes on Kestrel).
FunctionsWorker.CreateBuilder(args).Build().Run();

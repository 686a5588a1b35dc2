using Serverless.Platform.Hosting;
using Serverless.Workers;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServiceDefaults("serverless-workers");
builder.AddOrderWorkers();

var app = builder.Build();
app.MapServiceDefaults();
return app.RunServerless();

/// <summary>Entry point, visible to tests that host the workers.</summary>
public partial class Program;

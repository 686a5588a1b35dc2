using Serverless.Consumers;
using Serverless.Consumers.ReadModel;
using Serverless.Platform.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServiceDefaults("serverless-consumers");
builder.AddConsumer();

var app = builder.Build();
app.MapServiceDefaults();
app.MapConsumer();
return ReadModelRebuildCommand.IsRequested(args) ? await ReadModelRebuildCommand.RunAsync(app) : app.RunServerless();

/// <summary>Entry point, visible to tests that host the consumer.</summary>
public partial class Program;

using Serverless.Simulators;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSimulators(builder.Configuration);

var app = builder.Build();
app.MapSimulators();
app.Run();

/// <summary>Entry point, visible to tests that host the simulators.</summary>
public partial class Program;

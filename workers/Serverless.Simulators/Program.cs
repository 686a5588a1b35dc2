using Serverless.Simulators;

var builder = WebApplication.CreateSlimBuilder(args);
// Not appsettings.json: test projects that reference both the simulators and a host would get two
// files of that name in one output folder, and the wrong one could win.
builder.Configuration.AddJsonFile("simulators.json", optional: false).AddEnvironmentVariables().AddCommandLine(args);
builder.Services.AddSimulators(builder.Configuration);

var app = builder.Build();
app.MapSimulators();
app.Run();

/// <summary>Entry point, visible to tests that host the simulators.</summary>
public partial class Program;

using Serverless.Platform.Hosting;
using Serverless.Scaler;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServiceDefaults("serverless-scaler");
builder.AddPushScaler();

var app = builder.Build();
app.MapServiceDefaults();
app.MapPushScaler();
return app.RunServerless();

/// <summary>Entry point, visible to tests that host the scaler.</summary>
public partial class Program;

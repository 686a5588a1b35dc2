using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Orders.Outbox;
using Serverless.Outbox.RelayHost;
using Serverless.Platform.Environments;
using Serverless.Platform.Postgres;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddServerlessEnvironment(builder.Configuration);
builder.Services.AddOptions<RecordingStarterOptions>().Bind(builder.Configuration.GetSection(RecordingStarterOptions.Section));
builder.Services.AddServerlessPostgres(builder.Configuration);
builder.Services.AddPostgresMigration(RecordingStarter.Migration);
builder.Services.AddSingleton<IOrderWorkflowStarter, RecordingStarter>();
builder.Services.AddOrderOutboxRelay(builder.Configuration);
await builder.Build().RunAsync();

using Serverless.Testing;
using Temporalio.Testing;

namespace Serverless.Workers.Tests.Live;

/// <summary>
/// A Temporal dev server started once for the live tests, from the CLI named by
/// <c>TEMPORAL_CLI_PATH</c> or found on PATH. Without a CLI it starts nothing and each test skips.
/// </summary>
public sealed class TemporalDevServerFixture : IAsyncLifetime
{
    public const string Namespace = "dev";

    public WorkflowEnvironment? Environment { get; private set; }

    public string TargetHost => Environment!.Client.Connection.Options.TargetHost!;

    public async ValueTask InitializeAsync()
    {
        if (Engines.TemporalCli is not { } cli)
        {
            return;
        }

        Environment = await WorkflowEnvironment.StartLocalAsync(new WorkflowEnvironmentStartLocalOptions
        {
            Namespace = Namespace,
            DevServerOptions = new DevServerOptions { ExistingPath = cli, LogLevel = "warn" },
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Environment is not null)
        {
            await Environment.ShutdownAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LiveTemporalGroup : ICollectionFixture<TemporalDevServerFixture>
{
    public const string Name = "live temporal";
}

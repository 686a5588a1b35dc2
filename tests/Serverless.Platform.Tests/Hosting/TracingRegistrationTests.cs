using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Serverless.Platform.Hosting;

namespace Serverless.Platform.Tests.Hosting;

/// <summary>Spans are recorded only when something receives them; metrics always are (the Prometheus scrape).</summary>
[Collection(ProcessTelemetry.Collection)]
public sealed class TracingRegistrationTests
{
    private const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    [Fact]
    public async Task AddServiceDefaults_NoExporterNorListener_RegistersMetricsButNoTracing()
    {
        await using var app = Build([]);

        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task AddServiceDefaults_OtlpEndpoint_RegistersTracing()
    {
        await using var app = Build(new() { [OtlpEndpoint] = "http://127.0.0.1:4317" });

        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task AddServiceDefaults_TracingSettingTrue_RecordsOurSpans()
    {
        await using var app = Build(new() { [ServiceDefaults.TracingSetting] = "true" });
        _ = app.Services.GetRequiredService<TracerProvider>();
        using var source = new ActivitySource($"{ServiceDefaults.TelemetryPrefix}TracingTest.{Guid.NewGuid():N}");

        using var span = source.StartActivity("recorded");

        Assert.True(span?.Recorded);
    }

    [Fact]
    public async Task AddServiceDefaults_TracingSettingFalse_KeepsOtlpToMetrics()
    {
        await using var app = Build(new() { [OtlpEndpoint] = "http://127.0.0.1:4317", [ServiceDefaults.TracingSetting] = "false" });

        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public void AddOpenTelemetry_RegistersTheHostedServiceThatServiceDefaultsReplaces()
    {
        var services = new ServiceCollection();

        services.AddOpenTelemetry();

        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName == ServiceDefaults.OpenTelemetryHostedService);
    }

    [Fact]
    public async Task AddServiceDefaults_ProvidersAreBuiltInTheBackgroundAsTheHostStarts()
    {
        await using var app = Build(new() { [ServiceDefaults.TracingSetting] = "true", ["urls"] = "http://127.0.0.1:0" });
        using var meter = new Meter($"{ServiceDefaults.TelemetryPrefix}StartTest.{Guid.NewGuid():N}");
        var counter = meter.CreateCounter<long>("started");
        using var source = new ActivitySource($"{ServiceDefaults.TelemetryPrefix}StartTest.{Guid.NewGuid():N}");

        Assert.DoesNotContain(app.Services.GetServices<IHostedService>(), s => s.GetType().FullName == ServiceDefaults.OpenTelemetryHostedService);
        Assert.False(counter.Enabled);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(counter.Enabled && source.HasListeners()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(counter.Enabled, "the meter provider listens once the host has started, nobody having resolved it");
        Assert.True(source.HasListeners(), "so does the tracer provider");
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void IsTracingEnabled_NotABoolean_NamesTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ServiceDefaults.TracingSetting] = "yes" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => ServiceDefaults.IsTracingEnabled(configuration));
        Assert.Contains(ServiceDefaults.TracingSetting, error.Message, StringComparison.Ordinal);
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Serverless:Environment"] = "dev", [OtlpEndpoint] = null });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults("tracing-test");
        return builder.Build();
    }
}

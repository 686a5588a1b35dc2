using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Serverless.Platform.Hosting;

namespace Serverless.Platform.Tests.Hosting;

/// <summary>Spans are recorded only when something receives them; metrics always are (the Prometheus scrape).</summary>
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

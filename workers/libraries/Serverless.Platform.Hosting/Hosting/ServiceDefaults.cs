using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serverless.Platform.Configuration;
using Serverless.Platform.Environments;

namespace Serverless.Platform.Hosting;

/// <summary>
/// What every deployable gets: environment validation, structured logs, OpenTelemetry metrics (and
/// traces when something receives them), health checks and the shutdown budget. Deployables call <see cref="AddServiceDefaults"/>
/// and <see cref="MapServiceDefaults"/> and nothing else of this kind.
/// </summary>
public static class ServiceDefaults
{
    /// <summary>Meter and ActivitySource names of our own code start with this.</summary>
    public const string TelemetryPrefix = "Serverless.";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddServerlessEnvironment(builder.Configuration);
        builder.AddStructuredLogging();
        builder.AddShutdownBudget();
        builder.Services.AddHealthChecks();

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetryPrefix + "*")
                // Npgsql's pool usage and wait-time instruments (db.client.connection.*).
                .AddMeter("Npgsql")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        // A tracer provider with nowhere to send its spans still samples and fills every one (about
        // a tenth of a request's cost in the functions). Without it, trace context still flows: the
        // hosting layer continues an inbound traceparent, HttpClient forwards it, correlation ids
        // never depended on it.
        var tracing = IsTracingEnabled(builder.Configuration);
        if (tracing)
        {
            telemetry.WithTracing(tracer => tracer
                .AddSource(TelemetryPrefix + "*")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsInfrastructurePath(context.Request.Path))
                .AddHttpClientInstrumentation());
        }

        if (HasOtlpEndpoint(builder.Configuration))
        {
            // UseOtlpExporter registers a tracer provider of its own: with tracing off, metrics only.
            if (tracing)
            {
                telemetry.UseOtlpExporter();
            }
            else
            {
                telemetry.WithMetrics(metrics => metrics.AddOtlpExporter());
            }
        }

        builder.Services.BuildTelemetryInBackground();
        return builder;
    }

    /// <summary>
    /// Builds the meter and tracer providers on the thread pool once the host has started (Kestrel
    /// listening, hosted services started). OpenTelemetry's own hosted service builds them on the
    /// start's thread, about a tenth of a replica's cold start spent before it can answer a probe; built
    /// alongside the start instead, they still took a core and the dependency-injection locks from it
    /// (issue 12). The cost is the measurements of a replica's first moments: an instrument counts
    /// from the moment the provider listens to it, some tens of milliseconds after the host started.
    /// </summary>
    private static void BuildTelemetryInBackground(this IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IHostedService) && services[i].ImplementationType?.FullName == OpenTelemetryHostedService)
            {
                services.RemoveAt(i);
            }
        }

        services.AddSingleton<IHostedService, TelemetryAfterStart>();
    }

    private sealed class TelemetryAfterStart(IServiceProvider provider) : HostLifecycleHook
    {
        public override Task StartedAsync(CancellationToken cancellationToken)
        {
            // A provider that fails to build fails again where it is used (the scrape, the first span).
            BackgroundStart.Run(() =>
            {
                _ = provider.GetService<MeterProvider>();
                _ = provider.GetService<TracerProvider>();
                return Task.CompletedTask;
            });
            return Task.CompletedTask;
        }
    }

    /// <summary>What <c>AddOpenTelemetry</c> registers to build the providers at start (a test pins the name).</summary>
    public const string OpenTelemetryHostedService = "OpenTelemetry.Extensions.Hosting.Implementation.TelemetryHostedService";

    /// <summary>Overrides when traces are recorded: <c>true</c> for a listener or exporter other than OTLP, <c>false</c> to keep OTLP to metrics.</summary>
    public const string TracingSetting = "Serverless:Tracing";

    /// <summary>
    /// Whether spans are recorded: as <see cref="TracingSetting"/> says when set, else when an OTLP
    /// endpoint is configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
    /// </summary>
    public static bool IsTracingEnabled(IConfiguration configuration)
    {
        var setting = configuration[TracingSetting];
        if (string.IsNullOrWhiteSpace(setting))
        {
            return HasOtlpEndpoint(configuration);
        }

        return bool.TryParse(setting, out var enabled)
            ? enabled
            : throw new InvalidOperationException($"{TracingSetting} must be true or false (or unset: on when an OTLP endpoint is configured); got '{setting}'.");
    }

    private static bool HasOtlpEndpoint(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsPath = "/metrics";

    /// <summary>Liveness, readiness and the Prometheus scrape endpoint, mapped in every environment (KEDA-scaled pods need probes).</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, LiveHealth(details: true));
        app.MapHealthChecks(ReadyPath, ReadyHealth(details: true));
        // The scrape pipeline needs the meter provider: built at the first scrape, not on the start's thread.
        var scrape = new Lazy<RequestDelegate>(() => ((IApplicationBuilder)app).New()
            .UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, path: null, predicate: static _ => true, configureBranchedPipeline: null, optionsName: null)
            .Build());
        app.Map(MetricsPath, context => scrape.Value(context));
        return app;
    }

    /// <summary>Liveness: no checks, so a slow dependency never restarts a pod.</summary>
    /// <param name="details">Each check's status and description; without, the overall status only (a public port must not show addresses and errors).</param>
    public static HealthCheckOptions LiveHealth(bool details) =>
        new() { Predicate = _ => false, ResponseWriter = (context, report) => WriteReportAsync(context, report, details) };

    /// <summary>Readiness: the checks tagged <see cref="HealthTags.Ready"/>; <c>503</c> when one is unhealthy.</summary>
    /// <param name="details">As for <see cref="LiveHealth"/>.</param>
    public static HealthCheckOptions ReadyHealth(bool details) => new()
    {
        Predicate = check => check.Tags.Contains(HealthTags.Ready),
        ResponseWriter = (context, report) => WriteReportAsync(context, report, details),
    };

    private static void AddStructuredLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        var json = string.Equals(builder.Configuration["Serverless:LogFormat"], "json", StringComparison.OrdinalIgnoreCase)
                   || string.Equals(Environment.GetEnvironmentVariable("DOTNET_RUNNING_IN_CONTAINER"), "true", StringComparison.OrdinalIgnoreCase);
        if (json)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
    }

    private static void AddShutdownBudget(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShutdownBudgetOptions>().Bind(builder.Configuration.GetSection(ShutdownBudgetOptions.Section)).ValidateRules(budget => budget.Validate());
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<ShutdownBudgetOptions>>((host, budget) => host.ShutdownTimeout = budget.Value.HostShutdownTimeout);
    }

    private static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.Ordinal) || path.StartsWithSegments("/metrics", StringComparison.Ordinal);

    /// <summary>
    /// <c>{"status":…,"checks":{name:{"status":…,"description":…}}}</c>, written directly: a probe is
    /// the first request of every replica, and reflection-based serialisation of it cost a cold
    /// start several milliseconds.
    /// </summary>
    private static async Task WriteReportAsync(HttpContext context, HealthReport report, bool details)
    {
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            if (details)
            {
                json.WriteStartObject("checks");
                foreach (var (name, entry) in report.Entries)
                {
                    json.WriteStartObject(name);
                    json.WriteString("status", entry.Status.ToString());
                    json.WriteString("description", entry.Description);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}

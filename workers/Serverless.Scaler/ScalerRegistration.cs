using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Serverless.Platform.Configuration;
using Serverless.Platform.Hosting;
using Serverless.Platform.Redis;
using Serverless.Platform.Temporal;
using Serverless.Scaler.Backlog;
using Serverless.Scaler.Grpc;
using Serverless.Scaler.Signals;
using StackExchange.Redis;

namespace Serverless.Scaler;

public static partial class ScalerRegistration
{
    /// <summary>gRPC (HTTP/2 cleartext, for KEDA) and HTTP/1 (health, metrics, notifications) need separate ports.</summary>
    public static WebApplicationBuilder AddPushScaler(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ScalerOptions>().Bind(builder.Configuration.GetSection(ScalerOptions.Section)).ValidateRules(o => o.Validate());
        services.AddSingleton<IConnectionMultiplexer>(provider =>
        {
            var configuration = ConfigurationOptions.Parse(provider.GetRequiredService<IOptions<ScalerOptions>>().Value.Redis);
            configuration.AbortOnConnectFail = false;
            configuration.Protocol = RedisProtocol.Resp2;
            return ConnectionMultiplexer.Connect(configuration);
        });
        if (!string.IsNullOrWhiteSpace(builder.Configuration["Temporal:Address"]))
        {
            services.AddServerlessTemporalClient(builder.Configuration);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ArrivalClock>();
        services.AddSingleton<WorkSignals>();
        services.AddSingleton(provider => new InFlightLeases(provider.GetRequiredService<IConnectionMultiplexer>().GetDatabase()));
        services.AddSingleton<ITaskQueueStats, TemporalTaskQueueStats>();
        services.AddSingleton<SignalProbe>();
        services.AddHostedService<StreamWatcher>();
        services.AddGrpc();
        services.AddHealthChecks().AddCheck<RedisReadiness>("redis", tags: [HealthTags.Ready]);

        var grpcPort = builder.Configuration.GetValue("Scaler:GrpcPort", 9090);
        var httpPort = builder.Configuration.GetValue("Scaler:HttpPort", 8083);
        var address = IPAddress.Parse(builder.Configuration["Scaler:ListenAddress"] ?? "0.0.0.0");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(address, httpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        return builder;
    }

    public static WebApplication MapPushScaler(this WebApplication app)
    {
        app.MapGrpcService<ExternalScalerService>();
        // A function that just started a workflow (or any producer) says "work on this queue now".
        app.MapPost("/notify/{key}", (string key, WorkSignals signals) =>
        {
            if (!SignalKey().IsMatch(key))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "key must be a stream or task queue name: 1-200 of [A-Za-z0-9._:-]");
            }

            signals.Arrived(key);
            return Results.Accepted();
        });
        return app;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,200}\\z")]
    private static partial Regex SignalKey();

    private sealed class RedisReadiness(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var latency = await redis.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:F1} ms");
            }
            catch (RedisException e)
            {
                return HealthCheckResult.Unhealthy($"Redis unreachable: {e.Message}");
            }
        }
    }
}

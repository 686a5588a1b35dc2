using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Serverless.Platform.Configuration;
using Serverless.Platform.Hosting;

namespace Serverless.Functions.SelfHost.Edge;

/// <summary>
/// Kestrel's listeners: the public ones from <c>Urls</c> (plain HTTP; TLS ends at the ingress), then
/// one management listener per public host on <see cref="ManagementOptions.Port"/>, bound in that
/// order (the first address Kestrel reports is the public one). A management
/// connection is marked when it is accepted, so what it may reach is decided by the listener a
/// client connected to, not by anything the client sends (a Host header, a path with <c>..</c>).
/// </summary>
public static class SelfHostListeners
{
    private const string ManagementConnection = "serverless.management";

    /// <summary>Call after every configuration source is added: reads <c>Urls</c> as it finally is.</summary>
    public static WebApplicationBuilder AddSelfHostListeners(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ManagementOptions>().Bind(builder.Configuration.GetSection(ManagementOptions.Section)).ValidateRules(options => options.Validate());
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var management = kestrel.ApplicationServices.GetRequiredService<IOptions<ManagementOptions>>().Value;
            var addresses = PublicAddresses(urls);
            foreach (var address in addresses)
            {
                Listen(kestrel, address.Host, address.Port, _ => { });
            }

            foreach (var host in addresses.Select(a => a.Host).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                Listen(kestrel, host, management.Port, listen => listen.Use(next => connection =>
                {
                    connection.Items[ManagementConnection] = true;
                    return next(connection);
                }));
            }
        });

        // The listeners above are the only ones. The host still hands Kestrel Urls, which Kestrel then
        // ignores for them, logging "Overriding address(es)" once at start.
        return builder;
    }

    /// <summary>
    /// Answers every request of the management port here, and only there: probes with each check's
    /// details and the Prometheus scrape; anything else on it is a bare <c>404</c>. The public port
    /// never maps the scrape, so no path (<c>/api/orders/../../metrics</c> included) reaches it there.
    /// </summary>
    public static WebApplication UseManagementPort(this WebApplication app)
    {
        app.MapWhen(IsManagement, management => management
            .UseHealthChecks(ServiceDefaults.LivePath, ServiceDefaults.LiveHealth(details: true))
            .UseHealthChecks(ServiceDefaults.ReadyPath, ServiceDefaults.ReadyHealth(details: true))
            .UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == ServiceDefaults.MetricsPath));
        return app;
    }

    /// <summary>True for a request that came in on the management port.</summary>
    public static bool IsManagement(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ManagementConnection) == true;

    private static List<BindingAddress> PublicAddresses(string? urls)
    {
        var addresses = (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Parse)
            .ToList();
        return addresses.Count > 0
            ? addresses
            : throw new OptionsValidationException("Urls", typeof(ManagementOptions), ["Urls names no address: set the public listener, e.g. Urls=http://+:8080."]);
    }

    private static BindingAddress Parse(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException e)
        {
            throw new OptionsValidationException("Urls", typeof(ManagementOptions), [$"Urls: '{url}' is not an address ({e.Message})."]);
        }

        return address is { Scheme: "http", IsUnixPipe: false }
            ? address
            : throw new OptionsValidationException("Urls", typeof(ManagementOptions), [$"Urls: '{url}' is not http://host:port; the self-host serves plain HTTP behind the ingress."]);
    }

    /// <summary>Binds <paramref name="host"/> as Kestrel binds a URL: localhost, an IP address, or any address for '+', '*' and names.</summary>
    private static void Listen(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions> configure)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, port, configure);
        }
        else
        {
            kestrel.ListenAnyIP(port, configure);
        }
    }
}

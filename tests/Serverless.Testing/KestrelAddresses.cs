using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Serverless.Testing;

public static class KestrelAddresses
{
    /// <summary>The one address a started app listens on (bound to port 0: the port Kestrel chose), ending in '/'.</summary>
    public static Uri ListeningAddress(this WebApplication app) => ListeningAddresses(app).Single();

    /// <summary>Every address a started app listens on, in the order Kestrel bound them, each ending in '/'.</summary>
    public static IReadOnlyList<Uri> ListeningAddresses(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(address => new Uri(address.TrimEnd('/') + "/"))
            .ToList();
}

using System.Net.Sockets;
using System.Text;

namespace Serverless.Functions.Tests;

/// <summary>An HTTP/1.1 exchange over a plain loopback socket, for requests no HttpClient in this process would send as written.</summary>
internal static class RawHttp
{
    public static async Task<string> SendAsync(Uri address, string request)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var socket = new TcpClient();
        await socket.ConnectAsync(address.Host, address.Port, timeout.Token);
        await using var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(timeout.Token);
    }
}

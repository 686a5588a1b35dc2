using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Serverless.Testing;

namespace Serverless.Platform.Tests.Conformance;

/// <summary>
/// The commands Redis executes, from <c>MONITOR</c> (StackExchange.Redis does not speak it): each
/// line is <c>+&lt;time&gt; [&lt;db&gt; &lt;client&gt;] "CMD" "arg" ...</c>. Lets a scenario see the
/// command sequence an adapter sends (MULTI/EXEC, XADD arguments), whichever adapter it is.
/// </summary>
public sealed partial class RedisMonitor : IAsyncDisposable
{
    private readonly TcpClient client;
    private readonly ConcurrentQueue<(string Client, string[] Words)> seen = new();
    private readonly Task reading;

    private RedisMonitor(TcpClient client, StreamReader reader)
    {
        this.client = client;
        reading = Task.Run(() => ReadAsync(reader));
    }

    public static async Task<RedisMonitor> StartAsync(string address)
    {
        var (host, port) = (address[..address.LastIndexOf(':')], int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var client = new TcpClient();
        await client.ConnectAsync(host, port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("MONITOR\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        var reader = new StreamReader(stream, Encoding.UTF8);
        var ok = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
        Assert.Equal("+OK", ok);
        return new RedisMonitor(client, reader);
    }

    /// <summary>
    /// The commands of the one client connection that sent a command mentioning <paramref name="marker"/>,
    /// in order, once <paramref name="last"/> was seen from it (other tests share this Redis).
    /// </summary>
    public async Task<IReadOnlyList<string[]>> CommandsOfClientAsync(string marker, string last)
    {
        IReadOnlyList<string[]> commands = [];
        await Eventually.TrueAsync(
            () =>
            {
                var all = seen.ToArray();
                var sender = all.FirstOrDefault(c => c.Words.Any(w => w.Contains(marker, StringComparison.Ordinal))).Client;
                commands = sender is null ? [] : all.Where(c => c.Client == sender).Select(c => c.Words).ToList();
                return commands.Any(c => c[0].Equals(last, StringComparison.OrdinalIgnoreCase));
            },
            TimeSpan.FromSeconds(10),
            $"Redis saw {last} from the client that touched {marker}");
        return commands;
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        try
        {
            await reading;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The socket closed under the reader: that is how monitoring ends.
        }
    }

    [GeneratedRegex("""^\+\d+\.\d+ \[\d+ (?<client>[^\]]+)\] (?<words>.*)$""")]
    private static partial Regex Line();

    [GeneratedRegex("""
        "((?:[^"\\]|\\.)*)"
        """)]
    private static partial Regex Word();

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            var match = Line().Match(line);
            if (match.Success)
            {
                var words = Word().Matches(match.Groups["words"].Value).Select(m => Regex.Unescape(m.Groups[1].Value)).ToArray();
                seen.Enqueue((match.Groups["client"].Value, words));
            }
        }
    }
}

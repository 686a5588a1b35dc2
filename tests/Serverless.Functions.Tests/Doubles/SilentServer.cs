using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Serverless.Functions.Tests.Doubles;

/// <summary>
/// A loopback TCP server that accepts every connection and never sends a byte: a Temporal frontend
/// that is reachable but hung (or a black-holing proxy in front of it). Connections stay open until
/// disposal, so a client waits on them instead of seeing a refusal.
/// </summary>
public sealed class SilentServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<Socket> accepted = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SilentServer()
    {
        listener.Start();
        _ = AcceptAsync();
    }

    /// <summary><c>host:port</c>, as Temporal:Address takes it.</summary>
    public string Address => $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    public int Connections => accepted.Count;

    /// <summary>Completes once a client has connected.</summary>
    public Task FirstConnection => firstConnection.Task;

    public static SilentServer Start() => new();

    public void Dispose()
    {
        stopping.Cancel();
        listener.Stop();
        while (accepted.TryDequeue(out var socket))
        {
            socket.Dispose();
        }

        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                accepted.Enqueue(await listener.AcceptSocketAsync(stopping.Token));
                firstConnection.TrySetResult();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}

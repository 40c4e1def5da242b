using System.Net;
using System.Net.Sockets;
using PersistentTaskStatus.TestServer.Commands;
using PersistentTaskStatus.TestServer.Storage;
using PersistentTaskStatus.TestServer.Wire;

namespace PersistentTaskStatus.TestServer;

/// <summary>
/// A MongoDB wire-protocol server for tests, listening on 127.0.0.1 only. It presents itself as the primary of a
/// single-node replica set running MongoDB 7.0 (or the release in <see cref="MongoTestServerOptions.ServerVersion"/>),
/// so drivers use sessions and retryable writes as against a real one.
/// </summary>
/// <example>
/// <code>
/// await using var server = await MongoTestServer.StartAsync();
/// var client = new MongoClient(server.ConnectionString);
/// </code>
/// </example>
public sealed class MongoTestServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<ConnectionHandler> connections = [];
    private readonly Lock connectionsLock = new();
    private Task? acceptLoop;

    private MongoTestServer(TcpListener listener, MongoTestServerOptions options)
    {
        this.listener = listener;
        Options = options;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Engine = new ServerState(options, $"127.0.0.1:{Port}");
    }

    /// <summary>The settings the server was started with.</summary>
    public MongoTestServerOptions Options { get; }

    /// <summary>The TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>A connection string that the MongoDB drivers accept as it is.</summary>
    public string ConnectionString => $"mongodb://127.0.0.1:{Port}/";

    /// <summary>The server's state: its databases and the command dispatcher. For tests that look inside.</summary>
    internal ServerState Engine { get; }

    /// <summary>The number of connections open now.</summary>
    public int OpenConnections
    {
        get
        {
            lock (connectionsLock)
            {
                return connections.Count;
            }
        }
    }

    /// <summary>
    /// Removes every document that a TTL index says has expired by the server's clock
    /// (<see cref="MongoTestServerOptions.TimeProvider"/>), now; returns how many were removed.
    /// </summary>
    /// <returns>How many documents were removed.</returns>
    public int SweepExpiredDocuments() => Engine.Ttl.Sweep(Engine.Now);

    /// <summary>
    /// Stops answering, as in a network partition: from now on every command (the driver's monitoring included)
    /// waits, unanswered, until <see cref="Resume"/>; then the held commands run. Connections stay open. On a real
    /// MongoDB the nearest equivalent is a <c>failCommand</c> fail point with <c>blockConnection</c>.
    /// </summary>
    public void Pause() => Engine.Dispatcher.Pause();

    /// <summary>Answers again after <see cref="Pause"/>: the commands held back run, and new ones are answered at once.</summary>
    public void Resume() => Engine.Dispatcher.Resume();

    /// <summary>True between <see cref="Pause"/> and <see cref="Resume"/>.</summary>
    public bool IsPaused => Engine.Dispatcher.IsPaused;

    /// <summary>Turns off every fail point set with <c>configureFailPoint</c>.</summary>
    public void ClearFailPoints() => Engine.Dispatcher.FailPoints.Clear();

    /// <summary>Starts a server on 127.0.0.1 (an ephemeral port unless <see cref="MongoTestServerOptions.Port"/> is set).</summary>
    /// <param name="options">Its settings; the defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The server, listening.</returns>
    /// <exception cref="System.Net.Sockets.SocketException">The port is taken.</exception>
    /// <exception cref="ArgumentException"><see cref="MongoTestServerOptions.ServerVersion"/> is not a release from 4.4 to 8.0.</exception>
    public static Task<MongoTestServer> StartAsync(MongoTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MongoTestServerOptions();
        cancellationToken.ThrowIfCancellationRequested();
        PersistentTaskStatus.TestServer.Engine.Versions.ServerVersion.Parse(options.ServerVersion);
        var listener = new TcpListener(IPAddress.Loopback, options.Port);
        listener.Start(backlog: 512);
        var server = new MongoTestServer(listener, options);
        server.acceptLoop = Task.Run(server.AcceptLoopAsync, CancellationToken.None);
        return Task.FromResult(server);
    }

    /// <summary>Stops listening, closes every connection and drops everything the server held.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        ConnectionHandler[] open;
        lock (connectionsLock)
        {
            open = [.. connections];
        }

        foreach (var connection in open)
        {
            connection.Close();
        }

        if (acceptLoop is not null)
        {
            await acceptLoop.ConfigureAwait(false);
        }

        Engine.Dispose();
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            client.NoDelay = true;
            var handler = new ConnectionHandler(client, Engine);
            lock (connectionsLock)
            {
                connections.Add(handler);
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await handler.RunAsync(stopping.Token).ConfigureAwait(false);
                }
                finally
                {
                    lock (connectionsLock)
                    {
                        connections.Remove(handler);
                    }
                }
            });
        }
    }
}

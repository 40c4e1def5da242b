using System.Net.Sockets;
using MongoDB.Driver;
using PersistentTaskStatus.TestServer;
using Testcontainers.MongoDb;
using Xunit;

namespace PersistentTaskStatus.TestInfrastructure;

/// <summary>
/// The MongoDB every test talks to, in this order: the connection string in <c>MONGODB_URI</c>; a <c>mongo:8.0</c>
/// replica set started by Testcontainers where a Docker engine answers; else the in-process test server. One per
/// test assembly (register it with <c>[assembly: AssemblyFixture(typeof(MongoFixture))]</c>); each test class asks
/// it for a database of its own.
/// </summary>
public sealed class MongoFixture : IAsyncLifetime
{
    private MongoDbContainer? container;
    private MongoClient? client;

    /// <summary>Which MongoDB the tests run against, in words.</summary>
    public string Source { get; private set; } = "";

    /// <summary>The connection string of that MongoDB.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The in-process test server when that is what runs, else null (tests of server-only switches skip).</summary>
    public MongoTestServer? TestServer { get; private set; }

    /// <summary>A client shared by the tests that need no client settings of their own.</summary>
    public IMongoClient Client => client ?? throw new InvalidOperationException("The fixture has not started.");

    public async ValueTask InitializeAsync()
    {
        var uri = Environment.GetEnvironmentVariable("MONGODB_URI");
        if (!string.IsNullOrWhiteSpace(uri))
        {
            ConnectionString = uri;
            Source = "MongoDB from MONGODB_URI";
        }
        else if (DockerEngineAnswers())
        {
            container = new MongoDbBuilder("mongo:8.0")
                .WithReplicaSet("rs0")
                .WithCommand("--setParameter", "enableTestCommands=1")
                .Build();
            await container.StartAsync().ConfigureAwait(false);
            ConnectionString = container.GetConnectionString();
            Source = "mongo:8.0 replica set from Testcontainers";
        }
        else
        {
            TestServer = await MongoTestServer.StartAsync().ConfigureAwait(false);
            ConnectionString = TestServer.ConnectionString;
            Source = "the in-process PersistentTaskStatus test server";
        }

        client = new MongoClient(ConnectionString);
        var message = $"Tests run against {Source}.";
        Console.WriteLine(message);
        TestContext.Current.SendDiagnosticMessage(message);
    }

    /// <summary>A database name of its own for a test class: the class name, shortened, plus a random suffix.</summary>
    public static string DatabaseNameFor(Type testClass)
    {
        ArgumentNullException.ThrowIfNull(testClass);
        // MongoDB database names are at most 63 bytes.
        var name = testClass.Name.Length > 40 ? testClass.Name[..40] : testClass.Name;
        return $"t_{name}_{Guid.NewGuid():N}"[..(3 + name.Length + 16)];
    }

    /// <summary>A new, empty database for <paramref name="testClass"/>.</summary>
    public IMongoDatabase CreateDatabase(Type testClass) => Client.GetDatabase(DatabaseNameFor(testClass));

    /// <summary>Settings for a client of the test's own (command events, timeouts), on the same MongoDB.</summary>
    public MongoClientSettings CreateClientSettings() => MongoClientSettings.FromConnectionString(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        if (TestServer is not null)
        {
            await TestServer.DisposeAsync().ConfigureAwait(false);
        }

        if (container is not null)
        {
            await container.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static bool DockerEngineAnswers()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host))
        {
            return true;
        }

        const string socketPath = "/var/run/docker.sock";
        if (!File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

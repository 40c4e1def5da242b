using MongoDB.Driver;
using PersistentTaskStatus.TestServer;

namespace PersistentTaskStatus.Testing;

/// <summary>
/// A <see cref="TaskStatusClient"/> for a test, in a database of its own that is dropped at dispose: on an
/// in-process MongoDB test server of its own (no Docker, no MongoDB installation), or on the MongoDB named by
/// <c>MONGODB_URI</c> when it is set. On the in-process server, <see cref="AdvanceTime"/> skips time: it moves the
/// server's clock (<c>$$NOW</c>, which judges lease expiry and retry times; TTL expiry; change events' wall time)
/// together with the client's <see cref="TimeProvider"/> (lease renewal, polling, stall detection), so that a test
/// expires a lease, lets a back-off elapse or makes a task stalled without waiting.
/// </summary>
/// <example>
/// <code>
/// await using var env = await TaskStatusTestEnvironment.StartAsync();
/// var (container, _) = await env.Client.GetOrCreateTaskContainerAsync("import:1");
/// await container.AddTaskAsync("download", new TaskOptions { RetryDelay = TimeSpan.FromSeconds(30) });
/// env.AdvanceTime(TimeSpan.FromMinutes(1));
/// </code>
/// </example>
public sealed class TaskStatusTestEnvironment : IAsyncDisposable
{
    private readonly SkippingClock? clock;
    private readonly MongoClient mongoClient;
    private int disposed;

    private TaskStatusTestEnvironment(MongoTestServer? server, SkippingClock? clock, MongoClient mongoClient, string connectionString, IMongoDatabase database, TaskStatusClient client)
    {
        Server = server;
        this.clock = clock;
        this.mongoClient = mongoClient;
        ConnectionString = connectionString;
        Database = database;
        Client = client;
    }

    /// <summary>The client on the environment's database; its <see cref="TaskStatusOptions.TimeProvider"/> is <see cref="TimeProvider"/>.</summary>
    public TaskStatusClient Client { get; }

    /// <summary>
    /// The environment's clock: real time plus every skip made with <see cref="AdvanceTime"/>. Give it to the code
    /// under test wherever it reads the time (for example register it as the <see cref="System.TimeProvider"/>
    /// singleton), so that it moves with the server. Against <c>MONGODB_URI</c>, <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider => (TimeProvider?)clock ?? TimeProvider.System;

    /// <summary>The environment's database (a name of its own, dropped at dispose).</summary>
    public IMongoDatabase Database { get; }

    /// <summary>The name of <see cref="Database"/>.</summary>
    public string DatabaseName => Database.DatabaseNamespace.DatabaseName;

    /// <summary>
    /// The connection string of the MongoDB in use, for code under test that connects by itself; the database is
    /// <see cref="DatabaseName"/>.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>The in-process test server, or null when the environment runs on <c>MONGODB_URI</c>.</summary>
    public MongoTestServer? Server { get; }

    /// <summary>Whether <see cref="AdvanceTime"/> works: true on the in-process test server, false on a real MongoDB.</summary>
    public bool CanAdvanceTime => clock is not null;

    /// <summary>How far <see cref="AdvanceTime"/> has moved the clock so far.</summary>
    public TimeSpan TimeAdvanced => clock?.Skipped ?? TimeSpan.Zero;

    /// <summary>
    /// Starts an environment: an in-process test server of its own (unless <see cref="TaskStatusTestEnvironmentOptions.ConnectionString"/>,
    /// by default <c>MONGODB_URI</c>, names a MongoDB), a database of its own, and <see cref="Client"/> on it.
    /// </summary>
    /// <param name="options">Settings; the defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The environment; dispose it at the end of the test.</returns>
    /// <exception cref="ArgumentException">The connection string is not valid, or the client options configured are not.</exception>
    public static async Task<TaskStatusTestEnvironment> StartAsync(TaskStatusTestEnvironmentOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TaskStatusTestEnvironmentOptions();
        SkippingClock? clock = null;
        MongoTestServer? server = null;
        var connectionString = options.ConnectionString;
        if (connectionString is null)
        {
            clock = new SkippingClock();
            server = await MongoTestServer.StartAsync(new MongoTestServerOptions { TimeProvider = clock }, cancellationToken).ConfigureAwait(false);
            connectionString = server.ConnectionString;
        }

        MongoClient mongoClient;
        try
        {
            mongoClient = new MongoClient(MongoClientSettings.FromConnectionString(connectionString));
        }
        catch (Exception ex) when (ex is MongoConfigurationException or ArgumentException or FormatException)
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            // Never quote the connection string: it may hold a password.
            throw new ArgumentException("The test environment's connection string (MONGODB_URI) is not a valid MongoDB connection string.", nameof(options));
        }

        var database = mongoClient.GetDatabase($"pts_test_{Guid.NewGuid():N}");
        var clientOptions = new TaskStatusOptions();
        options.ConfigureClient?.Invoke(clientOptions);
        clientOptions.TimeProvider = (TimeProvider?)clock ?? clientOptions.TimeProvider;
        TaskStatusClient client;
        try
        {
            client = new TaskStatusClient(database, clientOptions);
        }
        catch
        {
            mongoClient.Dispose();
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new TaskStatusTestEnvironment(server, clock, mongoClient, connectionString, database, client);
    }

    /// <summary>
    /// Skips time: moves the test server's clock and <see cref="TimeProvider"/> forward together, at once. What the
    /// database judges by its clock sees the new time from the next command on (a lease past its expiry can be
    /// leased by another worker, a retry whose back-off has passed is ready, a running task whose progress has not
    /// moved for <see cref="TaskStatusOptions.StallAfter"/> is stalled, a document past its TTL is removed by the
    /// TTL monitor, which runs every 60 s of this clock), and the timers of <see cref="TimeProvider"/> that came
    /// due fire before this method returns (the code awaiting them then runs on the thread pool). A skip is
    /// instantaneous: a lease renewed in the background is renewed after the skip if nobody took it first; to expire
    /// a lease, stop its holder (dispose the lease, as a crash would) and skip past its expiry. Real waiting is not
    /// shortened: a change stream's <c>maxAwaitTimeMS</c> or a network timeout still take real time.
    /// </summary>
    /// <param name="duration">How far to move the clocks; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    /// <exception cref="NotSupportedException">The environment runs on a real MongoDB (<c>MONGODB_URI</c>), whose clock cannot be moved; <see cref="CanAdvanceTime"/> is false.</exception>
    /// <exception cref="ObjectDisposedException">The environment was disposed.</exception>
    public void AdvanceTime(TimeSpan duration)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (duration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Time can only be moved forward.");
        }

        if (clock is null)
        {
            throw new NotSupportedException(
                "AdvanceTime needs the in-process test server: this environment runs on the MongoDB named by MONGODB_URI, whose clock cannot be moved. " +
                "Check TaskStatusTestEnvironment.CanAdvanceTime, or set TaskStatusTestEnvironmentOptions.ConnectionString to null for tests that skip time.");
        }

        clock.Advance(duration);
    }

    /// <summary>Drops the environment's database, then disposes the client and stops the in-process server.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await mongoClient.DropDatabaseAsync(DatabaseName).ConfigureAwait(false);
        }
        finally
        {
            Client.Dispose();
            mongoClient.Dispose();
            if (Server is not null)
            {
                await Server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.Storage;

namespace PersistentTaskStatus;

/// <summary>
/// The entry point: hands out <see cref="TaskContainer"/> handles. Create one per application and share it (it is
/// thread-safe); with dependency injection, <c>services.AddPersistentTaskStatus(...)</c> registers it as a singleton.
/// </summary>
/// <remarks>
/// Besides the exceptions each member lists, every operation of this client and of its containers and leases may
/// throw: <see cref="TimeoutException"/> when MongoDB did not answer within
/// <see cref="TaskStatusOptions.OperationTimeout"/> (its message names the container and task; a write that timed out
/// was applied whole or not at all); <see cref="OperationCanceledException"/> when the caller's token fired; and the
/// driver's <see cref="MongoException"/> (such as <see cref="MongoCommandException"/>, <see cref="MongoConnectionException"/>
/// or <see cref="MongoAuthenticationException"/>) for an error from MongoDB that neither the driver's retries nor the
/// client's retries of index creation got past. Errors from MongoDB are surfaced, never swallowed.
/// </remarks>
public sealed class TaskStatusClient : IDisposable
{
    private readonly IMongoClient? ownedClient;

    /// <summary>Creates a client on a database that the application already has.</summary>
    /// <param name="database">The database that holds the containers' collection.</param>
    /// <param name="options">Settings; <see cref="TaskStatusOptions.ConnectionString"/> and <see cref="TaskStatusOptions.DatabaseName"/> are not used.</param>
    /// <exception cref="ArgumentNullException"><paramref name="database"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    public TaskStatusClient(IMongoDatabase database, TaskStatusOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        Options = options ?? new TaskStatusOptions();
        Options.Validate(requireConnection: false);
        Store = new ContainerStore(database, Options);
    }

    /// <summary>Creates a client that connects with <see cref="TaskStatusOptions.ConnectionString"/> and owns that connection.</summary>
    /// <param name="options">Settings; <see cref="TaskStatusOptions.ConnectionString"/> is required, and a database name in it or in <see cref="TaskStatusOptions.DatabaseName"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The connection string or the database name is missing, or another setting is not valid.</exception>
    public TaskStatusClient(TaskStatusOptions options)
        : this(OpenDatabase(options, out var client), options)
    {
        ownedClient = client;
    }

    /// <summary>The settings this client runs with.</summary>
    public TaskStatusOptions Options { get; }

    internal TimeProvider TimeProvider => Options.TimeProvider;

    internal ContainerStore Store { get; }

    /// <summary>Gets a container, or null when it does not exist.</summary>
    /// <param name="name">The container's name (1 to 256 characters, no NUL).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The container with all its tasks as the database holds them now, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, whitespace, too long or holds a NUL.</exception>
    public async Task<TaskContainer?> GetTaskContainerAsync(string name, CancellationToken cancellationToken = default)
    {
        Validation.ContainerName(name);
        var document = await Store.FindAsync(name, projection: null, cancellationToken).ConfigureAwait(false);
        return document is null ? null : new TaskContainer(this, document);
    }

    /// <summary>
    /// Gets a container, creating it when it does not exist, in one atomic write. Of several concurrent callers
    /// exactly one is told that it created the container.
    /// </summary>
    /// <param name="name">The container's name (1 to 256 characters, no NUL), for example <c>epf-import:2026-11-28</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The container and whether this call created it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, whitespace, too long or holds a NUL.</exception>
    public async Task<GetOrCreateResult> GetOrCreateTaskContainerAsync(string name, CancellationToken cancellationToken = default)
    {
        Validation.ContainerName(name);
        var newId = ObjectId.GenerateNewId();
        BsonDocument? document;
        try
        {
            document = await Store.WriteAsync("GetOrCreate", ContainerCommands.GetOrCreate(name, newId), name, null, cancellationToken).ConfigureAwait(false);
        }
        catch (MongoCommandException ex) when (ex.Code == 11000)
        {
            // Two upserts raced past each other on a server that did not retry the loser itself: the container exists.
            document = await Store.FindAsync(name, projection: null, cancellationToken).ConfigureAwait(false);
        }

        if (document is null)
        {
            throw new TaskStatusException($"Task container '{name}' was neither found nor created; it may have been deleted at the same moment.")
            {
                ContainerName = name,
            };
        }

        return new GetOrCreateResult(new TaskContainer(this, document), document[Fields.Id] == newId);
    }

    /// <summary>Deletes a container and all its tasks. Deleting a container that does not exist is not an error.</summary>
    /// <param name="name">The container's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the container existed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, whitespace, too long or holds a NUL.</exception>
    public Task<bool> DeleteTaskContainerAsync(string name, CancellationToken cancellationToken = default)
    {
        Validation.ContainerName(name);
        return Store.DeleteAsync(name, cancellationToken);
    }

    /// <summary>
    /// Yields the new state of every container after each committed change, until the watch is cancelled:
    /// <see cref="WatchAsync(string, CancellationToken)"/> without a name prefix.
    /// </summary>
    /// <returns>Container states, one per change.</returns>
    public IAsyncEnumerable<TaskContainer> WatchAsync() => WatchAsync(namePrefix: null, CancellationToken.None);

    /// <inheritdoc cref="WatchAsync()"/>
    /// <param name="cancellationToken">Stops the watch.</param>
    public IAsyncEnumerable<TaskContainer> WatchAsync(CancellationToken cancellationToken) => WatchAsync(namePrefix: null, cancellationToken);

    /// <summary>
    /// Yields the new state of every container (or of those whose name starts with <paramref name="namePrefix"/>)
    /// after each committed change, until <paramref name="cancellationToken"/> fires. Through a MongoDB change stream
    /// where the deployment has them, resuming by itself after a transient error; on a standalone server by polling
    /// every <see cref="TaskStatusOptions.WatchPollInterval"/>. Deletions are not reported.
    /// </summary>
    /// <param name="namePrefix">Only containers whose name starts with this text; null for all.</param>
    /// <param name="cancellationToken">Stops the watch.</param>
    /// <returns>Container states, one per change.</returns>
    public async IAsyncEnumerable<TaskContainer> WatchAsync(string? namePrefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var document in new Watching.ContainerWatcher(this).WatchManyAsync(namePrefix, cancellationToken).ConfigureAwait(false))
        {
            yield return new TaskContainer(this, document);
        }
    }

    /// <summary>
    /// Finds containers: by state (incomplete, complete, failed, stalled), name prefix and change time, newest change
    /// first, a page at a time. Each filter is served by an index (see the README).
    /// </summary>
    /// <param name="query">What to find; every container, 50 at a time, when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page of summaries and the token of the next page.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The page size is not within 1 to <see cref="TaskContainerQuery.MaxPageSize"/>.</exception>
    /// <exception cref="ArgumentException">The continuation token is not one this library issued.</exception>
    public async Task<TaskContainerPage> QueryTaskContainersAsync(TaskContainerQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new TaskContainerQuery();
        if (query.PageSize is < 1 or > TaskContainerQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.PageSize, $"The page size must be from 1 to {TaskContainerQuery.MaxPageSize}.");
        }

        var after = ContainerCommands.ParseContinuationToken(query.ContinuationToken);
        var stalledBefore = TimeProvider.GetUtcNow().UtcDateTime - Options.StallAfter;
        var documents = await Store.QueryAsync(
            ContainerCommands.QueryFilter(query, stalledBefore, after),
            ContainerCommands.QueryProjection(stalledBefore),
            query.PageSize + 1,
            cancellationToken).ConfigureAwait(false);
        var page = documents.Take(query.PageSize).Select(ToSummary).ToList();
        var next = documents.Count > query.PageSize
            ? ContainerCommands.ContinuationToken(page[^1].UpdatedAt, documents[query.PageSize - 1][Fields.Id].AsObjectId)
            : null;
        return new TaskContainerPage(page, next);
    }

    /// <summary>
    /// Creates the indexes the library needs, if they are missing. The client does this by itself, once, before its
    /// first command (unless <see cref="TaskStatusOptions.CreateIndexes"/> is false); calling it at start-up surfaces
    /// connection problems early. <c>createIndexes</c> is not a retryable write, so the client itself sends it again,
    /// with exponential back-off, after a transient error (a dropped connection, a primary stepping down, a server
    /// shutting down) until <see cref="TaskStatusOptions.OperationTimeout"/> has passed.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the indexes exist (at once when this client already created them).</returns>
    /// <exception cref="TimeoutException">
    /// The indexes could not be created within <see cref="TaskStatusOptions.OperationTimeout"/> (MongoDB did not
    /// answer, or kept failing with transient errors; the last one is inside).
    /// </exception>
    /// <exception cref="MongoException">
    /// MongoDB refused the indexes with an error that is not transient, for example a <see cref="MongoCommandException"/>
    /// with code 85 (IndexOptionsConflict) when an index of the same name exists with other options.
    /// </exception>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken = default) => Store.EnsureIndexesWithinTimeoutAsync(cancellationToken);

    /// <summary>Disposes the MongoDB client when this client created it from a connection string.</summary>
    public void Dispose() => (ownedClient as IDisposable)?.Dispose();

    private static TaskContainerSummary ToSummary(BsonDocument document)
    {
        var summary = DocumentReader.ReadSummary(document);
        return new TaskContainerSummary
        {
            Name = summary.Name,
            IsComplete = summary.IsComplete,
            HasFailed = summary.HasFailed,
            PercentageComplete = summary.PercentageComplete,
            TaskCount = summary.TaskCount,
            CompletedCount = summary.CompletedCount,
            FailedCount = summary.FailedCount,
            RunningCount = summary.RunningCount,
            StalledCount = summary.StalledCount,
            CreatedAt = summary.CreatedAt,
            UpdatedAt = summary.UpdatedAt,
            ExpiresAt = summary.ExpiresAt,
        };
    }

    private static IMongoDatabase OpenDatabase(TaskStatusOptions options, out IMongoClient client)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(requireConnection: true);
        var url = MongoUrl.Create(options.ConnectionString);
        client = new MongoClient(url);
        return client.GetDatabase(options.DatabaseName ?? url.DatabaseName);
    }
}

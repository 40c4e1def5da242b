using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Dashboard.Tests.Infrastructure;

/// <summary>
/// A database of the test class's own, a library client that plays the workers and sets runs up in it, the raw
/// collection to check what the database holds, and the dashboard hosts the test starts (stopped at the end).
/// </summary>
public sealed class DashboardTestContext : IAsyncDisposable
{
    private readonly MongoFixture fixture;
    private readonly List<DashboardHost> hosts = [];

    public DashboardTestContext(MongoFixture fixture, Type testClass)
    {
        this.fixture = fixture;
        DatabaseName = MongoFixture.DatabaseNameFor(testClass);
        Client = new TaskStatusClient(fixture.Client.GetDatabase(DatabaseName), new TaskStatusOptions { RenewLeases = false });
        Raw = fixture.Client.GetDatabase(DatabaseName).GetCollection<BsonDocument>(TaskStatusOptions.DefaultCollectionName);
    }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public MongoFixture Fixture => fixture;

    public string DatabaseName { get; }

    /// <summary>The workers' and the test's own client (not the dashboard's).</summary>
    public TaskStatusClient Client { get; }

    public IMongoCollection<BsonDocument> Raw { get; }

    public async Task<DashboardHost> StartHostAsync(HostSettings? settings = null)
    {
        var host = await DashboardHost.StartAsync(fixture, DatabaseName, settings);
        hosts.Add(host);
        return host;
    }

    /// <summary>The stored document of a container, to compare before and after a refused request.</summary>
    public Task<BsonDocument> RawAsync(string name) =>
        Raw.Find(new BsonDocument("name", name)).SingleAsync(Token);

    /// <summary>A container whose tasks t0, t1, ... are in the given states (set directly, without leases).</summary>
    public async Task<TaskContainer> ContainerAsync(string name, params TaskRunStatus[] states)
    {
        var (container, _) = await Client.GetOrCreateTaskContainerAsync(name, Token);
        for (var i = 0; i < states.Length; i++)
        {
            await container.AddTaskAsync($"t{i}", cancellationToken: Token);
            if (states[i] == TaskRunStatus.Running)
            {
                await container.UpdateProgressAsync($"t{i}", 50, "working", Token);
            }
            else if (states[i] != TaskRunStatus.Pending)
            {
                await container.UpdateTaskAsync($"t{i}", new TaskChanges { Status = states[i] }, Token);
            }
        }

        return container;
    }

    /// <summary>
    /// A run that failed: "report" completed, "download" failed for good (no retries left) with an IOException, and
    /// "import", which depends on it, failed because it did.
    /// </summary>
    public async Task<TaskContainer> FailedRunAsync(string name, string downloadName = "download", string message = "connection reset at 412 MB")
    {
        var (container, _) = await Client.GetOrCreateTaskContainerAsync(name, Token);
        await container.AddTaskAsync("report", cancellationToken: Token);
        await container.AddTaskAsync(downloadName, new TaskOptions { MaxRetries = 0 }, Token);
        await container.AddTaskAsync("import", new TaskOptions { DependsOn = [downloadName] }, Token);
        await container.UpdateTaskAsync("report", new TaskChanges { Status = TaskRunStatus.Completed }, Token);
        await using (var lease = await container.TryLeaseNextTaskAsync("worker-7", TimeSpan.FromMinutes(1), Token))
        {
            Assert.NotNull(lease);
            Assert.Equal(downloadName, lease.TaskName);
            await lease.ReportProgressAsync(42.5, "412 of 970 MB", cancellationToken: Token);
            await lease.FailAsync(new IOException(message), Token);
        }

        await container.RefreshAsync(Token);
        Assert.True(container.HasFailed);
        return container;
    }

    /// <summary>Waits for a condition, checking it often, failing with <paramref name="what"/> after a generous time.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Token);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(120));
        while (!await condition())
        {
            try
            {
                await Task.Delay(20, limit.Token);
            }
            catch (OperationCanceledException) when (!Token.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }

        Client.Dispose();
        await fixture.Client.DropDatabaseAsync(DatabaseName, CancellationToken.None);
    }
}

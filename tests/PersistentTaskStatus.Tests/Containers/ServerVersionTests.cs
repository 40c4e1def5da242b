using MongoDB.Driver.Core.Events;
using PersistentTaskStatus.TestServer;

namespace PersistentTaskStatus.Tests.Containers;

// The library needs MongoDB 5.0 or later with featureCompatibilityVersion 5.0 or later ($getField is 5.0; storing
// '$'-prefixed keys nested in a document needs featureCompatibilityVersion 5.0). These tests start test servers that
// present older releases; the test server answers as those releases do (its own tests check that).
public sealed class ServerVersionTests
{
    private static CancellationToken Token => LibraryTestContext.Token;

    private sealed class Deployment : IAsyncDisposable
    {
        private readonly MongoTestServer server;
        private readonly List<string> commands = [];

        private Deployment(MongoTestServer server)
        {
            this.server = server;
            var settings = MongoClientSettings.FromConnectionString(server.ConnectionString);
            settings.ClusterConfigurator = builder => builder.Subscribe<CommandStartedEvent>(e =>
            {
                lock (commands)
                {
                    commands.Add(e.CommandName);
                }
            });
            Mongo = new MongoClient(settings);
            Client = new TaskStatusClient(Mongo.GetDatabase("versions"));
        }

        public MongoClient Mongo { get; }

        public TaskStatusClient Client { get; }

        public IReadOnlyList<string> Commands
        {
            get
            {
                lock (commands)
                {
                    return [.. commands];
                }
            }
        }

        public static async Task<Deployment> StartAsync(string version) =>
            new(await MongoTestServer.StartAsync(new MongoTestServerOptions { ServerVersion = version }, Token));

        public Task<BsonDocument> AdminAsync(string command) =>
            Mongo.GetDatabase("admin").RunCommandAsync<BsonDocument>(BsonDocument.Parse(command), cancellationToken: Token);

        public async Task<List<string>> CollectionNamesAsync() =>
            await (await Mongo.GetDatabase("versions").ListCollectionNamesAsync(cancellationToken: Token)).ToListAsync(Token);

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            Mongo.Dispose();
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task On_MongoDB_4_4_the_first_call_throws_a_clear_exception_naming_both_versions_and_writes_nothing()
    {
        await using var deployment = await Deployment.StartAsync("4.4.29");

        var error = await Assert.ThrowsAsync<UnsupportedServerVersionException>(() => deployment.Client.GetOrCreateTaskContainerAsync("import:1", Token));
        var again = await Assert.ThrowsAsync<UnsupportedServerVersionException>(() => deployment.Client.GetTaskContainerAsync("import:1", Token));

        Assert.Equal("4.4.29", error.FoundVersion);
        Assert.Equal("5.0", UnsupportedServerVersionException.RequiredVersion);
        Assert.Contains("MongoDB 5.0 or later (wire version 13)", error.Message);
        Assert.Contains("featureCompatibilityVersion 5.0", error.Message);
        Assert.Contains("runs MongoDB 4.4.29", error.Message);
        Assert.Contains("(wire version 9)", error.Message);
        Assert.Equal("4.4.29", again.FoundVersion);
        Assert.Empty(await deployment.CollectionNamesAsync());
        Assert.DoesNotContain("findAndModify", deployment.Commands);
        Assert.DoesNotContain("createIndexes", deployment.Commands);
    }

    [Fact]
    public async Task On_MongoDB_5_0_the_whole_life_of_a_task_works_and_the_version_is_checked_once_per_client()
    {
        await using var deployment = await Deployment.StartAsync("5.0.0");
        var (container, created) = await deployment.Client.GetOrCreateTaskContainerAsync("import:2", Token);
        await container.AddTaskAsync("download", new TaskOptions { MaxRetries = 0 }, Token);
        await container.AddTaskAsync("verify", new TaskOptions { DependsOn = ["download"] }, Token);

        await using (var lease = (await container.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(1), Token))!)
        {
            await lease.FailAsync(new InvalidOperationException("disk full"), Token);
        }

        await container.ResetTaskAsync("download", Token);
        var state = (await deployment.Client.GetTaskContainerAsync("import:2", Token))!;

        Assert.True(created);
        Assert.Equal(TaskRunStatus.Pending, state.Tasks[0].Status);
        Assert.Equal(TaskRunStatus.Pending, state.Tasks[1].Status);
        Assert.Equal(1, deployment.Commands.Count(c => c == "buildInfo"));
    }

    [Fact]
    public async Task Below_feature_compatibility_5_0_task_data_with_dollar_keys_is_refused_with_a_clear_exception_and_nothing_is_written()
    {
        await using var deployment = await Deployment.StartAsync("5.0.0");
        await deployment.AdminAsync("{ setFeatureCompatibilityVersion: '4.4' }");
        var (container, _) = await deployment.Client.GetOrCreateTaskContainerAsync("import:3", Token);
        await container.AddTaskAsync("plain", new TaskOptions { TaskData = new BsonDocument("file", "a.csv") }, Token);

        var error = await Assert.ThrowsAsync<UnsupportedServerVersionException>(() =>
            container.AddTaskAsync("query", new TaskOptions { TaskData = new BsonDocument("$in", new BsonArray { 1, 2 }) }, Token));
        await using var lease = (await container.TryLeaseNextTaskAsync("worker", TimeSpan.FromMinutes(1), Token))!;
        var state = (await deployment.Client.GetTaskContainerAsync("import:3", Token))!;

        Assert.Equal("import:3", error.ContainerName);
        Assert.Equal("query", error.TaskName);
        Assert.Equal("5.0.0", error.FoundVersion);
        Assert.Equal(52, Assert.IsType<MongoCommandException>(error.InnerException).Code);
        Assert.Contains("featureCompatibilityVersion 5.0", error.Message);
        Assert.Contains("setFeatureCompatibilityVersion", error.Message);
        Assert.Equal(["plain"], state.Tasks.Select(t => t.Name));
        Assert.Equal("plain", lease.TaskName);
    }
}

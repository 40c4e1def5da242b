using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.TestServer;

namespace PersistentTaskStatus.Testing.Tests;

public sealed class EnvironmentTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_a_given_MongoDB_each_environment_has_a_database_of_its_own_dropped_at_dispose_and_time_cannot_be_skipped()
    {
        // A MongoDB the environment did not start stands for MONGODB_URI.
        await using var server = await MongoTestServer.StartAsync(cancellationToken: Token);
        using var observer = new MongoClient(server.ConnectionString);
        var options = new TaskStatusTestEnvironmentOptions { ConnectionString = server.ConnectionString };
        var first = await TaskStatusTestEnvironment.StartAsync(options, Token);
        await using var second = await TaskStatusTestEnvironment.StartAsync(options, Token);
        await first.Client.GetOrCreateTaskContainerAsync("mine", Token);
        await second.Client.GetOrCreateTaskContainerAsync("mine", Token);

        Assert.NotEqual(first.DatabaseName, second.DatabaseName);
        Assert.Null(first.Server);
        Assert.False(first.CanAdvanceTime);
        Assert.Same(TimeProvider.System, first.TimeProvider);
        var error = Assert.Throws<NotSupportedException>(() => first.AdvanceTime(TimeSpan.FromMinutes(1)));
        Assert.Contains("MONGODB_URI", error.Message);
        Assert.Contains(first.DatabaseName, await (await observer.ListDatabaseNamesAsync(Token)).ToListAsync(Token));

        await first.DisposeAsync();

        var names = await (await observer.ListDatabaseNamesAsync(Token)).ToListAsync(Token);
        Assert.DoesNotContain(first.DatabaseName, names);
        Assert.Contains(second.DatabaseName, names);
        Assert.NotNull(await second.Client.GetTaskContainerAsync("mine", Token));
    }

    [Fact]
    public async Task By_default_the_environment_runs_its_own_in_process_server_with_the_client_on_its_clock()
    {
        await using var env = await TaskStatusTestEnvironment.StartAsync(new TaskStatusTestEnvironmentOptions
        {
            ConnectionString = null,
            ConfigureClient = o => o.CollectionName = "runs",
        }, Token);

        Assert.NotNull(env.Server);
        Assert.True(env.CanAdvanceTime);
        Assert.Same(env.TimeProvider, env.Client.Options.TimeProvider);
        Assert.Same(env.TimeProvider, env.Server.Options.TimeProvider);
        Assert.Equal("runs", env.Client.Options.CollectionName);
        Assert.Equal(env.Server.ConnectionString, env.ConnectionString);
        await env.Client.GetOrCreateTaskContainerAsync("a", Token);
        Assert.Equal(1, await env.Database.GetCollection<BsonDocument>("runs").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
    }

    [Fact]
    public async Task A_connection_string_that_is_not_one_is_refused_without_quoting_it()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => TaskStatusTestEnvironment.StartAsync(
            new TaskStatusTestEnvironmentOptions { ConnectionString = "http://user:s3cret@host" }, Token));

        Assert.DoesNotContain("s3cret", error.Message);
    }
}

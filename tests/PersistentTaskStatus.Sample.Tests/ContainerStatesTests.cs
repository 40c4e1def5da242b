using System.Collections.Concurrent;
using MongoDB.Driver.Core.Events;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Sample.Tests;

/// <summary>
/// The supervisor follows the run through the library's watch: each change arrives as it is committed, and an idle
/// container costs no reads (the supervisor used to read the whole container with <c>find</c> every 200 ms).
/// </summary>
public sealed class ContainerStatesTests(MongoFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Changes_arrive_through_the_watch_and_an_idle_container_is_not_read_again()
    {
        var finds = new ConcurrentQueue<string>();
        var settings = fixture.CreateClientSettings();
        settings.ClusterConfigurator = builder => builder.Subscribe<CommandStartedEvent>(e =>
        {
            if (e.CommandName == "find" && e.Command.GetValue("find", "").ToString() == "taskContainers")
            {
                finds.Enqueue(e.CommandName);
            }
        });
        using var mongo = new MongoClient(settings);
        var database = mongo.GetDatabase(MongoFixture.DatabaseNameFor(typeof(ContainerStatesTests)));
        using var client = new TaskStatusClient(database);
        var (container, _) = await client.GetOrCreateTaskContainerAsync("followed", Token);
        await container.AddTaskAsync("step", new TaskOptions(), Token);

        await using var states = new ContainerStates(container, Token);

        // The first state the watch delivers (until then, a tick gives back the handle the states started from).
        var first = await NextWhereAsync(states, s => !ReferenceEquals(s, container) && s.Tasks.Count == 1);
        var findsAfterStart = finds.Count;

        // Idle for a while (ten ticks): the same state comes back, and nothing is read.
        for (var i = 0; i < 10; i++)
        {
            Assert.Same(first, await states.NextAsync(TimeSpan.FromMilliseconds(100), Token));
        }

        var findsWhileIdle = finds.Count - findsAfterStart;

        // A change made elsewhere arrives.
        using var writer = new TaskStatusClient(fixture.Client.GetDatabase(database.DatabaseNamespace.DatabaseName));
        var other = (await writer.GetTaskContainerAsync("followed", Token))!;
        await other.UpdateProgressAsync("step", 40, "almost half", Token);
        var changed = await NextWhereAsync(states, s => s.Tasks[0].PercentageComplete == 40);

        Assert.Equal("almost half", changed.Tasks[0].StatusText);
        Assert.Equal(0, findsWhileIdle);
        await fixture.Client.DropDatabaseAsync(database.DatabaseNamespace.DatabaseName, Token);
    }

    [Fact]
    public async Task Deleting_the_container_ends_the_states()
    {
        var database = fixture.CreateDatabase(typeof(ContainerStatesTests));
        using var client = new TaskStatusClient(database);
        var (container, _) = await client.GetOrCreateTaskContainerAsync("deleted", Token);
        await using var states = new ContainerStates(container, Token);
        await NextWhereAsync(states, s => !ReferenceEquals(s, container));

        await client.DeleteTaskContainerAsync("deleted", Token);
        TaskContainer? state = container;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (state is not null && DateTime.UtcNow < deadline)
        {
            state = await states.NextAsync(TimeSpan.FromMilliseconds(200), Token);
        }

        Assert.Null(state);
        await fixture.Client.DropDatabaseAsync(database.DatabaseNamespace.DatabaseName, Token);
    }

    /// <summary>The first state that satisfies <paramref name="condition"/>, within a generous 30 seconds.</summary>
    private static async Task<TaskContainer> NextWhereAsync(ContainerStates states, Func<TaskContainer, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await states.NextAsync(TimeSpan.FromMilliseconds(200), Token) is { } state && condition(state))
            {
                return state;
            }
        }

        throw new TimeoutException("No such state arrived within 30 seconds.");
    }
}

using System.Diagnostics;
using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// MongoTestServer.Pause()/Resume(): a partition seen from the client. Each test starts a server of its own, so the
// switch never reaches the shared fixture's server.
public sealed class PauseTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_paused_server_holds_commands_unanswered_and_runs_them_on_resume()
    {
        await using var server = await MongoTestServer.StartAsync(cancellationToken: Token);
        using var client = new MongoClient(server.ConnectionString);
        var collection = client.GetDatabase("pause").GetCollection<BsonDocument>("c");
        await collection.InsertOneAsync(new BsonDocument("_id", 0), cancellationToken: Token);

        server.Pause();
        server.Pause();
        Assert.True(server.IsPaused);
        var held = collection.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        var waited = Stopwatch.StartNew();
        await Task.Delay(500, Token);
        Assert.False(held.IsCompleted);

        server.Resume();
        await held.WaitAsync(TimeSpan.FromMinutes(1), Token);
        Assert.False(server.IsPaused);
        // Task.Delay may wake a timer tick early; the point is that the insert waited for the resume.
        Assert.True(waited.ElapsedMilliseconds >= 450, $"waited {waited.ElapsedMilliseconds} ms");
        Assert.Equal(2, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
    }

    [Fact]
    public async Task A_command_abandoned_by_its_client_during_a_pause_still_runs_on_resume()
    {
        await using var server = await MongoTestServer.StartAsync(cancellationToken: Token);
        using var client = new MongoClient(server.ConnectionString);
        var collection = client.GetDatabase("pause").GetCollection<BsonDocument>("c");
        await collection.InsertOneAsync(new BsonDocument("_id", 0), cancellationToken: Token);

        server.Pause();
        using (var abandon = new CancellationTokenSource())
        {
            var insert = collection.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: abandon.Token);

            // Abandoned once the server holds it, not after a guessed delay: a busy machine may take longer to send it.
            await WaitUntilAsync(() => server.Engine.Dispatcher.IsHolding("insert"));
            await abandon.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => insert);
        }

        server.Resume();
        var deadline = Stopwatch.StartNew();
        long count;
        do
        {
            count = await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token);
        }
        while (count < 2 && deadline.Elapsed < TimeSpan.FromMinutes(1));

        // As on MongoDB, a write the server received is not undone because its client stopped waiting.
        Assert.Equal(2, count);
    }

    [Fact]
    public async Task Disposing_a_paused_server_releases_the_held_commands()
    {
        var server = await MongoTestServer.StartAsync(cancellationToken: Token);
        var settings = MongoClientSettings.FromConnectionString(server.ConnectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(2);
        settings.RetryWrites = false;
        using var client = new MongoClient(settings);
        var collection = client.GetDatabase("pause").GetCollection<BsonDocument>("c");
        await collection.InsertOneAsync(new BsonDocument("_id", 0), cancellationToken: Token);

        server.Pause();
        var held = collection.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: Token);
        await Task.Delay(200, Token);
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
        await Assert.ThrowsAnyAsync<Exception>(() => held.WaitAsync(TimeSpan.FromSeconds(10), Token));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1), "The condition did not hold within a minute.");
            await Task.Delay(10, Token);
        }
    }
}

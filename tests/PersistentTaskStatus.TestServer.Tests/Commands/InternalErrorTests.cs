using System.Collections.Concurrent;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

// A server that fails inside a command answers with an error and keeps the connection: MongoDB reports an unexpected
// failure as { ok: 0, code: 1, codeName: "InternalError" } (src/mongo/base/error_codes.yml) and closes a connection
// only on a protocol error. A dropped connection would reach the driver as a network error, which it retries or
// answers by clearing its pool: a bug would look like a flaky network.
public sealed class InternalErrorTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_exception_in_a_command_handler_answers_InternalError_and_keeps_the_connection()
    {
        await using var server = await MongoTestServer.StartAsync(cancellationToken: Token);
        server.Engine.Dispatcher.Register("failInsideTheHandler", _ => throw new InvalidOperationException("a bug in a handler"));
        var connections = new ConcurrentQueue<(string Command, long Connection)>();
        var settings = MongoClientSettings.FromConnectionString(server.ConnectionString);
        settings.MaxConnectionPoolSize = 1;
        settings.ClusterConfigurator = builder => builder
            .Subscribe<CommandSucceededEvent>(e => connections.Enqueue((e.CommandName, e.ConnectionId.LongLocalValue)))
            .Subscribe<CommandFailedEvent>(e => connections.Enqueue((e.CommandName, e.ConnectionId.LongLocalValue)));
        using var client = new MongoClient(settings);
        var database = client.GetDatabase("admin");

        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            database.RunCommandAsync<BsonDocument>(new BsonDocument("failInsideTheHandler", 1), cancellationToken: Token));
        var ping = await database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: Token);

        Assert.Equal(1, error.Code);
        Assert.Equal("InternalError", error.CodeName);
        Assert.Contains("a bug in a handler", error.Message, StringComparison.Ordinal);
        Assert.Equal(1.0, ping["ok"].ToDouble());
        var used = connections.Where(c => c.Command is "failInsideTheHandler" or "ping").ToList();
        Assert.Equal(["failInsideTheHandler", "ping"], used.Select(c => c.Command));
        Assert.Single(used.Select(c => c.Connection).Distinct());
    }
}

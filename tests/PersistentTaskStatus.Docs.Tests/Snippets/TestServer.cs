using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.TestServer;

namespace ReadmeExamples;

public sealed class TestServer
{
    [Fact]
    public async Task The_test_server_starts_on_an_ephemeral_port_and_answers_the_driver()
    {
        // begin-snippet: test-server
        await using var server = await MongoTestServer.StartAsync();   // an ephemeral port
        var client = new MongoClient(server.ConnectionString);
        // end-snippet

        var reply = await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
        Assert.Equal(1, reply["ok"].ToInt32());
        client.Dispose();
    }
}

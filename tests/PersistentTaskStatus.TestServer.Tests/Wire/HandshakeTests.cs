using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Wire;

public sealed class HandshakeTests(MongoFixture fixture)
{
    [Fact]
    public async Task The_driver_connects_and_sees_a_replica_set_primary()
    {
        var database = fixture.Client.GetDatabase("admin");

        var hello = await database.RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(hello["isWritablePrimary"].AsBoolean);
        Assert.True(hello.Contains("setName"));
        Assert.True(hello["maxWireVersion"].AsInt32 >= 21);
        Assert.True(hello.Contains("logicalSessionTimeoutMinutes"));
    }

    [Fact]
    public async Task BuildInfo_reports_a_version_array()
    {
        var database = fixture.Client.GetDatabase("admin");

        var info = await database.RunCommandAsync<BsonDocument>(new BsonDocument("buildInfo", 1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(info["versionArray"].AsBsonArray[0].AsInt32 >= 7);
    }
}

using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

/// <summary>
/// A fail point set with <c>configureFailPoint</c> (https://github.com/mongodb/mongo/wiki/The-%22failCommand%22-fail-point)
/// and switched off again on dispose, so that a failing test does not leave it on for the next one. Fail points act on
/// the whole server: classes that use this belong to <see cref="Specifications.SpecificationTestsCollection"/>.
/// </summary>
internal sealed class ConfiguredFailPoint : IAsyncDisposable
{
    private readonly IMongoClient client;
    private readonly string name;

    private ConfiguredFailPoint(IMongoClient client, string name)
    {
        this.client = client;
        this.name = name;
    }

    public static async Task<ConfiguredFailPoint> SetAsync(IMongoClient client, string name, BsonValue mode, BsonDocument data, CancellationToken cancellationToken)
    {
        var command = new BsonDocument { { "configureFailPoint", name }, { "mode", mode }, { "data", data } };
        await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(command, cancellationToken: cancellationToken);
        return new ConfiguredFailPoint(client, name);
    }

    /// <summary>Switches the fail point off now (dispose does it again, harmlessly).</summary>
    public async Task OffAsync()
    {
        var off = new BsonDocument { { "configureFailPoint", name }, { "mode", "off" } };
        await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(off, cancellationToken: CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await OffAsync();
}

using MongoDB.Bson;
using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Docs.Tests;

/// <summary>A database of the test class's own, a <see cref="TaskStatusClient"/> on it, and what it stores.</summary>
public sealed class DocsContext : IDisposable
{
    private readonly MongoFixture fixture;
    private readonly string databaseName;

    public DocsContext(MongoFixture fixture, Type testClass)
    {
        this.fixture = fixture;
        databaseName = MongoFixture.DatabaseNameFor(testClass);
        Client = new TaskStatusClient(fixture.Client.GetDatabase(databaseName), new TaskStatusOptions { RenewLeases = false });
    }

    public TaskStatusClient Client { get; }

    /// <summary>The stored document of a container, read directly.</summary>
    public async Task<BsonDocument> StoredAsync(string containerName) =>
        await fixture.Client.GetDatabase(databaseName).GetCollection<BsonDocument>(TaskStatusOptions.DefaultCollectionName)
            .Find(new BsonDocument("name", containerName)).SingleAsync(TestContext.Current.CancellationToken);

    public void Dispose()
    {
        Client.Dispose();
        fixture.Client.DropDatabase(databaseName, TestContext.Current.CancellationToken);
    }
}

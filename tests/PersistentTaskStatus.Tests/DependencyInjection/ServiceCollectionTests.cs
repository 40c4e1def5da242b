using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.DependencyInjection;

public sealed class ServiceCollectionTests(MongoFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string ConnectionStringWithDatabase(string database)
    {
        var url = new MongoUrlBuilder(fixture.ConnectionString) { DatabaseName = database };
        return url.ToString();
    }

    [Fact]
    public async Task The_connection_string_overload_registers_a_singleton_client_that_writes_to_the_named_database()
    {
        var databaseName = MongoFixture.DatabaseNameFor(typeof(ServiceCollectionTests));
        var services = new ServiceCollection().AddPersistentTaskStatus(ConnectionStringWithDatabase(databaseName));
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<TaskStatusClient>();
        await client.GetOrCreateTaskContainerAsync("from-di", Token);

        Assert.Same(client, provider.GetRequiredService<TaskStatusClient>());
        var stored = await fixture.Client.GetDatabase(databaseName).GetCollection<BsonDocument>("taskContainers")
            .Find(new BsonDocument("name", "from-di")).FirstOrDefaultAsync(Token);
        Assert.NotNull(stored);
    }

    [Fact]
    public async Task The_options_overload_sets_collection_and_database_on_a_registered_IMongoClient()
    {
        var databaseName = MongoFixture.DatabaseNameFor(typeof(ServiceCollectionTests));
        var services = new ServiceCollection()
            .AddSingleton<IMongoClient>(new MongoClient(fixture.ConnectionString))
            .AddPersistentTaskStatus(options =>
            {
                options.DatabaseName = databaseName;
                options.CollectionName = "runs";
            });
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<TaskStatusClient>().GetOrCreateTaskContainerAsync("custom", Token);

        var stored = await fixture.Client.GetDatabase(databaseName).GetCollection<BsonDocument>("runs")
            .Find(new BsonDocument("name", "custom")).FirstOrDefaultAsync(Token);
        Assert.NotNull(stored);
    }

    [Fact]
    public async Task The_parameterless_overload_uses_a_registered_IMongoDatabase_and_registering_twice_is_harmless()
    {
        var database = fixture.Client.GetDatabase(MongoFixture.DatabaseNameFor(typeof(ServiceCollectionTests)));
        var services = new ServiceCollection().AddSingleton(database).AddPersistentTaskStatus().AddPersistentTaskStatus();
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<TaskStatusClient>().GetOrCreateTaskContainerAsync("db-registered", Token);

        Assert.Single(services, d => d.ServiceType == typeof(TaskStatusClient));
        Assert.Equal(1, await database.GetCollection<BsonDocument>("taskContainers").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: Token));
    }

    [Fact]
    public void A_registered_client_that_was_substituted_is_kept()
    {
        var mine = new TaskStatusClient(fixture.Client.GetDatabase("unused"));
        var services = new ServiceCollection().AddSingleton(mine).AddPersistentTaskStatus();
        using var provider = services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<TaskStatusClient>());
    }

    [Fact]
    public void Missing_settings_fail_with_a_message_naming_them()
    {
        using var none = new ServiceCollection().AddPersistentTaskStatus().BuildServiceProvider();
        using var clientWithoutDatabase = new ServiceCollection()
            .AddSingleton<IMongoClient>(new MongoClient(fixture.ConnectionString))
            .AddPersistentTaskStatus()
            .BuildServiceProvider();
        using var emptyCollection = new ServiceCollection()
            .AddPersistentTaskStatus(o =>
            {
                o.ConnectionString = fixture.ConnectionString;
                o.CollectionName = "";
            })
            .BuildServiceProvider();

        var noMongo = Assert.Throws<OptionsValidationException>(() => none.GetRequiredService<TaskStatusClient>());
        var noDatabase = Assert.Throws<OptionsValidationException>(() => clientWithoutDatabase.GetRequiredService<TaskStatusClient>());
        var noCollection = Assert.Throws<OptionsValidationException>(() => emptyCollection.GetRequiredService<TaskStatusClient>());

        Assert.Contains("TaskStatusOptions.ConnectionString", noMongo.Message, StringComparison.Ordinal);
        Assert.Contains("TaskStatusOptions.DatabaseName", noDatabase.Message, StringComparison.Ordinal);
        Assert.Contains("TaskStatusOptions.CollectionName", noCollection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_without_a_database_name_is_refused_without_echoing_the_credentials()
    {
        var services = new ServiceCollection().AddPersistentTaskStatus("mongodb://operator:s3cr3t-pw@127.0.0.1:1/");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<TaskStatusClient>());

        Assert.Contains("TaskStatusOptions.DatabaseName", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-pw", error.ToString(), StringComparison.Ordinal);
    }
}

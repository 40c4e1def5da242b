using Microsoft.Extensions.Configuration;
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

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("PersistentTaskStatus");

    [Fact]
    public async Task The_connection_string_and_options_overload_connects_and_applies_the_options()
    {
        var databaseName = MongoFixture.DatabaseNameFor(typeof(ServiceCollectionTests));
        var services = new ServiceCollection().AddPersistentTaskStatus(fixture.ConnectionString, options =>
        {
            options.DatabaseName = databaseName;
            options.CollectionName = "configured-runs";
        });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<TaskStatusClient>();
        await client.GetOrCreateTaskContainerAsync("with-options", Token);

        Assert.Equal(fixture.ConnectionString, client.Options.ConnectionString);
        var stored = await fixture.Client.GetDatabase(databaseName).GetCollection<BsonDocument>("configured-runs")
            .Find(new BsonDocument("name", "with-options")).FirstOrDefaultAsync(Token);
        Assert.NotNull(stored);
    }

    [Fact]
    public async Task Every_option_that_is_a_value_is_read_from_a_configuration_section()
    {
        var databaseName = MongoFixture.DatabaseNameFor(typeof(ServiceCollectionTests));
        var section = Section(new()
        {
            ["PersistentTaskStatus:ConnectionString"] = fixture.ConnectionString,
            ["PersistentTaskStatus:DatabaseName"] = databaseName,
            ["PersistentTaskStatus:CollectionName"] = "from-configuration",
            ["PersistentTaskStatus:WriteConcern"] = "1",
            ["PersistentTaskStatus:OperationTimeout"] = "00:00:12.5",
            ["PersistentTaskStatus:CreateIndexes"] = "false",
            ["PersistentTaskStatus:MaxRetryDelay"] = "00:10:00",
            ["PersistentTaskStatus:renewLeases"] = "False",
            ["PersistentTaskStatus:StallAfter"] = "00:02:00",
            ["PersistentTaskStatus:CompletedRetention"] = "7.00:00:00",
            ["PersistentTaskStatus:FailedRetention"] = "",
            ["PersistentTaskStatus:WatchPollInterval"] = "00:00:00.250",
        });
        await using var provider = new ServiceCollection().AddPersistentTaskStatus(section).BuildServiceProvider();

        var client = provider.GetRequiredService<TaskStatusClient>();
        await client.GetOrCreateTaskContainerAsync("configured", Token);

        var options = client.Options;
        Assert.Equal(new WriteConcern(1), options.WriteConcern);
        Assert.Equal(TimeSpan.FromSeconds(12.5), options.OperationTimeout);
        Assert.False(options.CreateIndexes);
        Assert.Equal(TimeSpan.FromMinutes(10), options.MaxRetryDelay);
        Assert.False(options.RenewLeases);
        Assert.Equal(TimeSpan.FromMinutes(2), options.StallAfter);
        Assert.Equal(TimeSpan.FromDays(7), options.CompletedRetention);
        Assert.Null(options.FailedRetention);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.WatchPollInterval);
        var collection = fixture.Client.GetDatabase(databaseName).GetCollection<BsonDocument>("from-configuration");
        Assert.NotNull(await collection.Find(new BsonDocument("name", "configured")).FirstOrDefaultAsync(Token));

        // CreateIndexes false: the client created none.
        Assert.Equal(["_id_"], (await (await collection.Indexes.ListAsync(Token)).ToListAsync(Token)).Select(i => i["name"].AsString));
    }

    [Theory]
    [InlineData("majority")]
    [InlineData("Majority")]
    public void A_majority_write_concern_and_an_infinite_timeout_are_read_by_name(string majority)
    {
        var section = Section(new()
        {
            ["PersistentTaskStatus:ConnectionString"] = "mongodb://127.0.0.1:1/jobs",
            ["PersistentTaskStatus:WriteConcern"] = majority,
            ["PersistentTaskStatus:OperationTimeout"] = "Infinite",
        });
        using var provider = new ServiceCollection().AddPersistentTaskStatus(section).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<TaskStatusOptions>>().Value;

        Assert.Equal(WriteConcern.WMajority, options.WriteConcern);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.OperationTimeout);
    }

    [Fact]
    public void Unknown_keys_and_bad_values_fail_at_start_up_naming_each_key()
    {
        var section = Section(new()
        {
            ["PersistentTaskStatus:ConnectionString"] = "mongodb://127.0.0.1:1/jobs",
            ["PersistentTaskStatus:OperationTimeOut"] = "30",
            ["PersistentTaskStatus:StallAfter"] = "ten minutes",
            ["PersistentTaskStatus:WriteConcern"] = "majoirty",
            ["PersistentTaskStatus:RenewLeases"] = "yes",
            ["PersistentTaskStatus:CollectionName"] = " ",
            ["PersistentTaskStatus:Colection"] = "runs",
            ["PersistentTaskStatus:LoggerFactory"] = "console",
            ["PersistentTaskStatus:CompletedRetention:Days"] = "7",
        });
        using var provider = new ServiceCollection().AddPersistentTaskStatus(section).BuildServiceProvider();

        // What a host runs when it starts (IStartupValidator), before anything resolves the client.
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "PersistentTaskStatus:Colection: unknown key; the keys are ConnectionString, DatabaseName, CollectionName, WriteConcern, OperationTimeout, CreateIndexes, MaxRetryDelay, RenewLeases, StallAfter, CompletedRetention, FailedRetention, WatchPollInterval.",
                "PersistentTaskStatus:CollectionName: cannot be empty; leave the key out for the default, taskContainers.",
                "PersistentTaskStatus:CompletedRetention: must be a value, not a section.",
                "PersistentTaskStatus:LoggerFactory: TaskStatusOptions.LoggerFactory cannot be set from configuration; it comes from dependency injection (the registered service) or from code.",
                "PersistentTaskStatus:OperationTimeOut: '30' is not a duration; use hh:mm:ss or d.hh:mm:ss (00:00:30 is 30 seconds, 7.00:00:00 is 7 days); or Infinite.",
                "PersistentTaskStatus:RenewLeases: 'yes' is not true or false.",
                "PersistentTaskStatus:StallAfter: 'ten minutes' is not a duration; use hh:mm:ss or d.hh:mm:ss (00:00:30 is 30 seconds, 7.00:00:00 is 7 days).",
                "PersistentTaskStatus:WriteConcern: 'majoirty' is not a write concern; use majority (the default: a change survives a primary failover) or a number of members, 1 or more.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<TaskStatusClient>());
    }

    [Fact]
    public void A_value_out_of_its_range_fails_at_start_up_naming_the_option()
    {
        var section = Section(new()
        {
            ["PersistentTaskStatus:ConnectionString"] = "mongodb://127.0.0.1:1/jobs",
            ["PersistentTaskStatus:OperationTimeout"] = "-00:00:05",
        });
        using var provider = new ServiceCollection().AddPersistentTaskStatus(section).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(["TaskStatusOptions.OperationTimeout must be more than zero, or Timeout.InfiniteTimeSpan."], error.Failures);
    }
}

// begin-snippet: install-and-register
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Driver;
using PersistentTaskStatus;
// end-snippet
using Microsoft.Extensions.Configuration;
using PersistentTaskStatus.TestInfrastructure;

// The README's examples live outside the library's namespace, so that they need exactly the using directives a user's
// code needs.
namespace ReadmeExamples;

public sealed class GettingStarted(MongoFixture fixture)
{
    [Fact]
    public void Registering_as_the_readme_shows_gives_one_client_with_every_option_applied()
    {
        var connectionString = fixture.ConnectionString;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["PersistentTaskStatus:StallAfter"] = "00:05:00" })
            .Build();
        var services = new ServiceCollection();

        // begin-snippet: install-and-register
        // With dependency injection (a singleton TaskStatusClient):
        services.AddPersistentTaskStatus("mongodb://localhost:27017/jobs");
        // ...with other options too:
        services.AddPersistentTaskStatus("mongodb://localhost:27017/jobs", options => options.OperationTimeout = TimeSpan.FromSeconds(10));
        // ...from configuration (see below):
        services.AddPersistentTaskStatus(configuration.GetSection("PersistentTaskStatus"));
        // ...or on an IMongoClient you already register:
        services.AddSingleton<IMongoClient>(new MongoClient(connectionString));
        services.AddPersistentTaskStatus(options => options.DatabaseName = "jobs");

        // Without: one client per application, shared.
        var client = new TaskStatusClient(new MongoClient(connectionString).GetDatabase("jobs"));
        // end-snippet

        using var provider = services.BuildServiceProvider();
        var registered = provider.GetRequiredService<TaskStatusClient>();
        Assert.Same(registered, provider.GetRequiredService<TaskStatusClient>());
        Assert.Single(services, d => d.ServiceType == typeof(TaskStatusClient));
        Assert.Equal("mongodb://localhost:27017/jobs", registered.Options.ConnectionString);
        Assert.Equal(TimeSpan.FromSeconds(10), registered.Options.OperationTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), registered.Options.StallAfter);
        Assert.Equal("jobs", registered.Options.DatabaseName);
        Assert.Equal(TaskStatusOptions.DefaultCollectionName, client.Options.CollectionName);
        client.Dispose();
    }
}

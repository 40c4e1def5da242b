using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The <c>failPoint</c> test runner operation (<c>configureFailPoint</c> on a client's admin database), remembering
/// each fail point so it is switched off after the test.
/// https://github.com/mongodb/specifications/blob/master/source/unified-test-format/unified-test-format.md#failpoint
/// </summary>
internal sealed class FailPoints
{
    private readonly List<(IMongoClient Client, string Name)> configured = [];

    public PreparedOperation Prepare(OperationArguments args, EntityMap entities)
    {
        var client = entities.Get<ClientEntity>(args.RequiredString("client")).Client;
        var command = args.RequiredDocument("failPoint");
        return async ct =>
        {
            await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(command, cancellationToken: ct).ConfigureAwait(false);
            configured.Add((client, command["configureFailPoint"].AsString));
            return OperationResult.None;
        };
    }

    public async Task DisableAllAsync(CancellationToken cancellationToken)
    {
        foreach (var (client, name) in configured)
        {
            var off = new BsonDocument { { "configureFailPoint", name }, { "mode", "off" } };
            await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(off, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        configured.Clear();
    }
}

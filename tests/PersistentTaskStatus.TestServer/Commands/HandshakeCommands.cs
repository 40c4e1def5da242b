using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>hello/isMaster, ping, buildInfo and the other commands a driver sends to learn about the server.</summary>
internal sealed partial class CommandDispatcher
{
    private const int MaxWireVersion = 21; // MongoDB 7.0

    private void RegisterHandshakeCommands()
    {
        Register("hello", Hello);
        Register("isMaster", Hello);
        Register("ping", _ => Ok());
        Register("buildInfo", _ => Ok(BuildInfo()));
        Register("endSessions", _ => Ok());
        Register("getParameter", _ => Ok(new BsonDocument("featureCompatibilityVersion", new BsonDocument("version", "7.0"))));
    }

    private BsonDocument Hello(CommandRequest request)
    {
        if (request.Command.TryGetValue("client", out var client) &&
            client is BsonDocument clientDocument &&
            clientDocument.TryGetValue("application", out var application) &&
            application is BsonDocument applicationDocument &&
            applicationDocument.TryGetValue("name", out var appName))
        {
            request.Connection.AppName = appName.AsString;
        }

        var isLegacy = !request.Name.Equals("hello", StringComparison.Ordinal);
        var reply = new BsonDocument
        {
            { "helloOk", true },
            { isLegacy ? "ismaster" : "isWritablePrimary", true },
            { "topologyVersion", BsonNull.Value },
            { "hosts", new BsonArray { server.HostAndPort } },
            { "setName", server.Options.ReplicaSetName },
            { "setVersion", 1 },
            { "secondary", false },
            { "primary", server.HostAndPort },
            { "me", server.HostAndPort },
            { "electionId", new ObjectId("7fffffff0000000000000001") },
            { "lastWrite", new BsonDocument
                {
                    { "opTime", new BsonDocument { { "ts", new BsonTimestamp(0) }, { "t", 1L } } },
                    { "lastWriteDate", server.Now },
                }
            },
            { "maxBsonObjectSize", 16 * 1024 * 1024 },
            { "maxMessageSizeBytes", 48_000_000 },
            { "maxWriteBatchSize", 100_000 },
            { "localTime", server.Now },
            { "logicalSessionTimeoutMinutes", 30 },
            { "connectionId", request.Connection.Id },
            { "minWireVersion", 0 },
            { "maxWireVersion", MaxWireVersion },
            { "readOnly", false },
        };
        if (server.Options.Standalone)
        {
            foreach (var field in new[] { "hosts", "setName", "setVersion", "secondary", "primary", "me", "electionId", "lastWrite" })
            {
                reply.Remove(field);
            }
        }

        // The driver takes a topologyVersion as a sign of the streaming monitor protocol, which this server does not
        // offer; without it the driver polls hello, which is all a test server needs.
        reply.Remove("topologyVersion");
        return Ok(reply);
    }

    private static BsonDocument BuildInfo() => new()
    {
        { "version", "7.0.0" },
        { "gitVersion", "persistent-task-status-test-server" },
        { "versionArray", new BsonArray { 7, 0, 0, 0 } },
        { "bits", 64 },
        { "debug", false },
        { "maxBsonObjectSize", 16 * 1024 * 1024 },
        { "storageEngines", new BsonArray { "inMemory" } },
        { "modules", new BsonArray() },
    };

    private static BsonDocument Ok(BsonDocument? fields = null)
    {
        var reply = fields ?? [];
        reply["ok"] = 1.0;
        return reply;
    }
}

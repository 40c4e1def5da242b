using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Versions;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>
/// hello/isMaster, ping, buildInfo and the other commands a driver sends to learn about the server, and the
/// featureCompatibilityVersion commands (https://www.mongodb.com/docs/manual/reference/command/setFeatureCompatibilityVersion/).
/// </summary>
internal sealed partial class CommandDispatcher
{

    private void RegisterHandshakeCommands()
    {
        Register("hello", Hello);
        Register("isMaster", Hello);
        Register("ping", _ => Ok());
        Register("buildInfo", _ => Ok(BuildInfo()));
        Register("endSessions", _ => Ok());
        Register("getParameter", GetParameter);
        Register("setFeatureCompatibilityVersion", SetFeatureCompatibilityVersion);
    }

    private BsonDocument GetParameter(CommandRequest request)
    {
        RequireAdmin(request);
        return Ok(new BsonDocument("featureCompatibilityVersion", new BsonDocument("version", server.FeatureCompatibilityVersion)));
    }

    /// <summary>
    /// Sets the featureCompatibilityVersion to this release's or the last long-term-support release's; from 7.0 on
    /// only with <c>confirm: true</c> (error 7369100 otherwise), before 7.0 <c>confirm</c> is an unknown field.
    /// </summary>
    private BsonDocument SetFeatureCompatibilityVersion(CommandRequest request)
    {
        RequireAdmin(request);
        var requested = request.Target is BsonString text
            ? text.Value
            : throw CommandArguments.WrongType("setFeatureCompatibilityVersion", request.Target, "string");
        var allowed = server.Version.AllowedFeatureCompatibilityVersions;
        if (!allowed.Contains(requested))
        {
            throw MongoServerException.BadValue(
                $"Invalid feature compatibility version value '{requested}'; expected {string.Join(" or ", allowed.Select(v => $"'{v}'"))}. See https://docs.mongodb.com/master/release-notes/{server.Version.FeatureCompatibilityVersion}-compatibility/#feature-compatibility.");
        }

        var hasConfirm = request.Command.Contains("confirm");
        if (server.Version < new ServerVersion(7, 0, 0))
        {
            if (hasConfirm)
            {
                throw new MongoServerException(40415, "Location40415", "BSON field 'setFeatureCompatibilityVersion.confirm' is an unknown field.");
            }
        }
        else if (requested != server.FeatureCompatibilityVersion && !CommandArguments.OptionalBoolean(request.Command, "confirm"))
        {
            var upgrade = ServerVersion.OfFeatureCompatibility(requested) > ServerVersion.OfFeatureCompatibility(server.FeatureCompatibilityVersion);
            throw new MongoServerException(7369100, "Location7369100", upgrade
                ? $"Once you have upgraded to {requested}, you will not be able to downgrade FCV and binary version without support assistance. Please re-run this command with 'confirm: true' to acknowledge this and continue with the FCV upgrade."
                : "Once you have downgraded the FCV, if you choose to downgrade the binary version, it will require support assistance. Please re-run this command with 'confirm: true' to acknowledge this and continue with the FCV downgrade.");
        }

        server.FeatureCompatibilityVersion = requested;
        return Ok();
    }

    private static void RequireAdmin(CommandRequest request)
    {
        if (request.Database != "admin")
        {
            throw new MongoServerException(ErrorCode.Unauthorized, $"{request.Name} may only be run against the admin database.");
        }
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
            { "maxWireVersion", server.Version.WireVersion },
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

    private BsonDocument BuildInfo() => new()
    {
        { "version", server.Version.ToString() },
        { "gitVersion", "persistent-task-status-test-server" },
        { "versionArray", new BsonArray { server.Version.Major, server.Version.Minor, server.Version.Patch, 0 } },
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

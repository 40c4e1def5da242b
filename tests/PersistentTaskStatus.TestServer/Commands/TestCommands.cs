using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>Commands that MongoDB offers for tests (<c>enableTestCommands</c>) and the transaction commands.</summary>
internal sealed partial class CommandDispatcher
{
    private void RegisterTestCommands()
    {
        Register("configureFailPoint", ConfigureFailPoint);
        Register("killAllSessions", _ => Ok());
        Register("commitTransaction", _ => throw MongoServerException.NotSupported("Multi-document transactions"));
        Register("abortTransaction", _ => throw MongoServerException.NotSupported("Multi-document transactions"));
    }

    private BsonDocument ConfigureFailPoint(CommandRequest request)
    {
        if (request.Database != "admin")
        {
            throw new MongoServerException(ErrorCode.Unauthorized, "configureFailPoint may only be run against the admin database.");
        }

        var name = request.Target.IsString
            ? request.Target.AsString
            : throw CommandArguments.WrongType("configureFailPoint", request.Target, "string");
        var mode = request.Command.GetValue("mode", BsonNull.Value);
        var data = CommandArguments.OptionalDocument(request.Command, "data") ?? [];
        var count = FailPoints.Configure(name, mode, data);
        return Ok(new BsonDocument("count", count));
    }

    private void KillCursor(BsonValue id)
    {
        if (id.BsonType == BsonType.Int64)
        {
            cursors.Remove(id.AsInt64);
        }
    }
}

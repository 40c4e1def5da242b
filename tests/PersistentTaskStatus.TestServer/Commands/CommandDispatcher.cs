using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>
/// Runs one command: finds its handler by the command's first field, and turns errors into MongoDB's error reply.
/// </summary>
internal sealed partial class CommandDispatcher
{
    /// <summary>A field a reply carries when the connection must be closed instead of answered.</summary>
    public const string CloseConnectionMarker = "$closeConnection";

    private readonly ServerState server;
    private readonly Dictionary<string, Func<CommandRequest, BsonDocument>> handlers;

    public CommandDispatcher(ServerState server)
    {
        this.server = server;
        handlers = new Dictionary<string, Func<CommandRequest, BsonDocument>>(StringComparer.OrdinalIgnoreCase);
        RegisterHandshakeCommands();
        RegisterCursorCommands();
        RegisterReadCommands();
        RegisterWriteCommands();
        RegisterCatalogCommands();
    }

    public ServerState Server => server;

    public Task<BsonDocument> ExecuteAsync(BsonDocument command, ConnectionContext connection, CancellationToken cancellationToken)
    {
        if (command.ElementCount == 0)
        {
            return Task.FromResult(ErrorReply(MongoServerException.FailedToParse("Empty command")));
        }

        var name = command.GetElement(0).Name;
        var database = command.TryGetValue("$db", out var db) ? db.AsString : "admin";
        if (server.Options.Verbose)
        {
            Console.Error.WriteLine($"[{connection.Id}] {database} {command.ToJson()}");
        }

        try
        {
            if (!handlers.TryGetValue(name, out var handler))
            {
                throw new MongoServerException(ErrorCode.CommandNotFound, $"no such command: '{name}'");
            }

            // One lock for every command: each is atomic and isolated from all others.
            lock (server.Storage.SyncRoot)
            {
                return Task.FromResult(handler(new CommandRequest(name, database, command, connection)));
            }
        }
        catch (MongoServerException ex)
        {
            return Task.FromResult(ErrorReply(ex));
        }
    }

    public void ConnectionClosed(ConnectionContext connection)
    {
    }

    public static BsonDocument ErrorReply(MongoServerException error)
    {
        var reply = new BsonDocument
        {
            { "ok", 0.0 },
            { "errmsg", error.Message },
            { "code", error.Code },
            { "codeName", error.CodeName },
        };
        if (error.Details is not null)
        {
            reply.Merge(error.Details, overwriteExistingElements: false);
        }

        return reply;
    }

    private void Register(string name, Func<CommandRequest, BsonDocument> handler) => handlers.Add(name, handler);
}

/// <summary>One command as a handler sees it.</summary>
internal sealed record CommandRequest(string Name, string Database, BsonDocument Command, ConnectionContext Connection)
{
    /// <summary>The value of the command's first field (usually the collection name).</summary>
    public BsonValue Target => Command.GetElement(0).Value;
}

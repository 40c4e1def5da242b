using MongoDB.Bson;
using PersistentTaskStatus.TestServer.Engine;
using PersistentTaskStatus.TestServer.Engine.Versions;
using PersistentTaskStatus.TestServer.Storage;

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
    private readonly RetryableWrites retryableWrites = new();
    private readonly Lock pauseLock = new();
    private readonly List<string> held = [];
    private TaskCompletionSource? pauseGate;

    public CommandDispatcher(ServerState server)
    {
        this.server = server;
        handlers = new Dictionary<string, Func<CommandRequest, BsonDocument>>(StringComparer.OrdinalIgnoreCase);
        RegisterHandshakeCommands();
        RegisterCursorCommands();
        RegisterReadCommands();
        RegisterWriteCommands();
        RegisterCatalogCommands();
        RegisterTestCommands();
    }

    public ServerState Server => server;

    public FailPoints FailPoints { get; } = new();

    /// <summary>True while <see cref="Pause"/> holds every command back.</summary>
    public bool IsPaused
    {
        get
        {
            lock (pauseLock)
            {
                return pauseGate is not null;
            }
        }
    }

    /// <summary>
    /// Holds back every command from now on, unanswered (a network partition seen from the client): each waits
    /// before its handler runs, outside the storage lock, until <see cref="Resume"/>. Pausing twice is pausing once.
    /// </summary>
    public void Pause()
    {
        lock (pauseLock)
        {
            pauseGate ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Whether a pause holds back a command named <paramref name="commandName"/> now (it reached the server).</summary>
    internal bool IsHolding(string commandName)
    {
        lock (pauseLock)
        {
            return held.Contains(commandName);
        }
    }

    /// <summary>Lets the held commands run, in no particular order, and answers new ones at once again.</summary>
    public void Resume()
    {
        TaskCompletionSource? gate;
        lock (pauseLock)
        {
            gate = pauseGate;
            pauseGate = null;
        }

        gate?.TrySetResult();
    }

    public async Task<BsonDocument> ExecuteAsync(BsonDocument command, ConnectionContext connection, CancellationToken cancellationToken)
    {
        var heldName = command.ElementCount > 0 ? command.GetElement(0).Name : "";
        TaskCompletionSource? gate;
        lock (pauseLock)
        {
            gate = pauseGate;
            if (gate is not null)
            {
                held.Add(heldName);
            }
        }

        if (gate is not null)
        {
            try
            {
                await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (pauseLock)
                {
                    held.Remove(heldName);
                }
            }
        }

        if (command.ElementCount == 0)
        {
            return ErrorReply(MongoServerException.FailedToParse("Empty command"));
        }

        var name = command.GetElement(0).Name;
        var database = command.TryGetValue("$db", out var db) ? db.AsString : "admin";
        if (server.Options.Verbose)
        {
            Console.Error.WriteLine($"[{connection.Id}] {database} {command.ToJson()}");
        }

        BsonDocument? writeConcernError = null;
        try
        {
            if (!handlers.TryGetValue(name, out var handler))
            {
                throw new MongoServerException(ErrorCode.CommandNotFound, $"no such command: '{name}'");
            }

            if (!name.Equals("configureFailPoint", StringComparison.OrdinalIgnoreCase) &&
                FailPoints.Trigger("failCommand", name, connection) is { } failure)
            {
                if (failure.GetValue("blockConnection", false).ToBoolean())
                {
                    await Task.Delay(failure.GetValue("blockTimeMS", 0).ToInt32(), cancellationToken).ConfigureAwait(false);
                }

                if (failure.GetValue("closeConnection", false).ToBoolean())
                {
                    return new BsonDocument(CloseConnectionMarker, true);
                }

                if (failure.TryGetValue("errorCode", out var errorCode))
                {
                    var reply = ErrorReply(new MongoServerException(
                        errorCode.ToInt32(),
                        ErrorCodeName(errorCode.ToInt32()),
                        "Failing command via 'failCommand' failpoint"));
                    AddErrorLabels(reply, name, command, failure);
                    return reply;
                }

                writeConcernError = failure.GetValue("writeConcernError", null) as BsonDocument;
                if (writeConcernError is not null)
                {
                    var reply = await ExecuteAsync(name, database, command, connection, handler, cancellationToken).ConfigureAwait(false);
                    reply["writeConcernError"] = writeConcernError.DeepClone();
                    AddErrorLabels(reply, name, command, failure);
                    return reply;
                }
            }

            if (name.Equals("getMore", StringComparison.OrdinalIgnoreCase) &&
                await ChangeStreamGetMoreAsync(command, connection, cancellationToken).ConfigureAwait(false) is { } changes)
            {
                return changes;
            }

            return await ExecuteAsync(name, database, command, connection, handler, cancellationToken).ConfigureAwait(false);
        }
        catch (MongoServerException ex)
        {
            var reply = ErrorReply(ex);
            AddErrorLabels(reply, name, command, failCommandData: null);
            return reply;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug in a handler is the server's error, reported as MongoDB reports one (InternalError, code 1), not
            // a dropped connection: the driver would take a hang-up for a network error and retry or discard its
            // pool, hiding the bug behind a misleading symptom.
            return ErrorReply(new MongoServerException(
                ErrorCode.InternalError, $"Internal error while running '{name}': {ex.GetType().Name}: {ex.Message}"));
        }
    }

    private Task<BsonDocument> ExecuteAsync(
        string name,
        string database,
        BsonDocument command,
        ConnectionContext connection,
        Func<CommandRequest, BsonDocument> handler,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (command.Contains("startTransaction") || command.Contains("autocommit"))
        {
            throw MongoServerException.NotSupported("Multi-document transactions");
        }

        var retryKey = RetryableWrites.KeyOf(name, command);

        // One lock for every command: each is atomic and isolated from all others.
        lock (server.Storage.SyncRoot)
        {
            if (retryKey is { } key && retryableWrites.Find(key) is { } earlier)
            {
                return Task.FromResult(earlier);
            }

            var transactionalFailure = retryKey is null ? null : FailPoints.Trigger("onPrimaryTransactionalWrite", name, connection);
            if (transactionalFailure is not null && transactionalFailure.TryGetValue("failBeforeCommitExceptionCode", out var abortCode))
            {
                // The write is abandoned before it commits: nothing is applied.
                if (transactionalFailure.GetValue("closeConnection", true).ToBoolean())
                {
                    return Task.FromResult(new BsonDocument(CloseConnectionMarker, true));
                }

                throw new MongoServerException(abortCode.ToInt32(), ErrorCodeName(abortCode.ToInt32()), "onPrimaryTransactionalWrite fail point");
            }

            if (name.Equals("getMore", StringComparison.OrdinalIgnoreCase) &&
                FailPoints.Trigger("failGetMoreAfterCursorCheckout", name, connection) is { } getMoreFailure)
            {
                KillCursor(command.GetElement(0).Value);
                var code = getMoreFailure.GetValue("errorCode", (int)ErrorCode.InternalError).ToInt32();
                throw new MongoServerException(code, ErrorCodeName(code), "Failing getMore via 'failGetMoreAfterCursorCheckout' failpoint");
            }

            BsonDocument reply;
            using (FeatureGate.Use(server.Version))
            {
                reply = handler(new CommandRequest(name, database, command, connection));
            }

            if (retryKey is { } executed && reply.GetValue("ok", 0).ToDouble() == 1)
            {
                retryableWrites.Remember(executed, reply);
            }

            if (transactionalFailure is not null && transactionalFailure.GetValue("closeConnection", true).ToBoolean())
            {
                // The write committed but its reply is lost with the connection; a retry gets the kept reply.
                return Task.FromResult(new BsonDocument(CloseConnectionMarker, true));
            }

            return Task.FromResult(reply);
        }
    }

    /// <summary>
    /// Labels an error reply as MongoDB 4.4+ does: the fail point's own labels when it names them, else
    /// <c>RetryableWriteError</c> on a retryable write that failed with a retryable code.
    /// </summary>
    private static void AddErrorLabels(BsonDocument reply, string name, BsonDocument command, BsonDocument? failCommandData)
    {
        if (failCommandData is not null && failCommandData.TryGetValue("errorLabels", out var labels))
        {
            if (labels.AsBsonArray.Count > 0)
            {
                reply["errorLabels"] = labels.DeepClone();
            }

            return;
        }

        var code = reply.GetValue("code", null)?.ToInt32() ??
            (reply.GetValue("writeConcernError", null) as BsonDocument)?.GetValue("code", null)?.ToInt32();
        if (code is { } retryable && RetryableWrites.RetryableCodes.Contains(retryable) && RetryableWrites.IsRetryableWrite(name, command))
        {
            reply["errorLabels"] = new BsonArray { "RetryableWriteError" };
        }
    }

    private static string ErrorCodeName(int code) =>
        Enum.IsDefined(typeof(ErrorCode), code) ? ((ErrorCode)code).ToString() : $"Location{code}";

    public void ConnectionClosed(ConnectionContext connection)
    {
    }

    /// <summary>
    /// The reply's bytes. A reply past the largest BSON object MongoDB builds (16 MB + 16 KB) cannot exist there: its
    /// builder fails with BSONObjectTooLarge (10334), and so the reply is that error instead of an outsized message.
    /// Cursor batches stay under the limit by themselves (16 MB of documents at most).
    /// </summary>
    public static byte[] Serialize(BsonDocument reply)
    {
        var bytes = reply.ToBson();
        return bytes.Length > BsonSize.MaxInternalObjectBytes
            ? ErrorReply(BsonSize.TooLarge(bytes.Length, reply)).ToBson()
            : bytes;
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

    /// <summary>Adds a command (internal so that a test can add one, for example a handler that fails).</summary>
    internal void Register(string name, Func<CommandRequest, BsonDocument> handler) => handlers.Add(name, handler);
}

/// <summary>One command as a handler sees it.</summary>
internal sealed record CommandRequest(string Name, string Database, BsonDocument Command, ConnectionContext Connection)
{
    /// <summary>The value of the command's first field (usually the collection name).</summary>
    public BsonValue Target => Command.GetElement(0).Value;
}

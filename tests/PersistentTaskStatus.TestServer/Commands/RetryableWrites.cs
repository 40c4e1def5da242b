using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>
/// The server side of retryable writes (https://www.mongodb.com/docs/manual/core/retryable-writes/): the reply of
/// each write executed with a session id and transaction number is kept, so that a retry of the same write returns
/// that reply instead of executing again.
/// </summary>
internal sealed class RetryableWrites
{
    /// <summary>Error codes after which a driver retries a write; the server labels them <c>RetryableWriteError</c>.</summary>
    public static readonly IReadOnlySet<int> RetryableCodes = new HashSet<int>
    {
        6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
    };

    private static readonly HashSet<string> WriteCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "insert", "update", "delete", "findAndModify",
    };

    private readonly Dictionary<(string Session, long TxnNumber), BsonDocument> replies = [];

    /// <summary>The key of a retryable write, or null for anything else.</summary>
    public static (string Session, long TxnNumber)? KeyOf(string commandName, BsonDocument command)
    {
        if (!WriteCommands.Contains(commandName) ||
            !command.TryGetValue("txnNumber", out var txnNumber) ||
            !command.TryGetValue("lsid", out var lsid) || lsid is not BsonDocument session ||
            !session.TryGetValue("id", out var id))
        {
            return null;
        }

        return (id.ToJson(), txnNumber.ToInt64());
    }

    public static bool IsRetryableWrite(string commandName, BsonDocument command) => KeyOf(commandName, command) is not null;

    /// <summary>The reply kept for a write already executed, as a copy; the caller holds the storage lock.</summary>
    public BsonDocument? Find((string Session, long TxnNumber) key) =>
        replies.TryGetValue(key, out var reply) ? reply.DeepClone().AsBsonDocument : null;

    public void Remember((string Session, long TxnNumber) key, BsonDocument reply) => replies[key] = reply.DeepClone().AsBsonDocument;
}

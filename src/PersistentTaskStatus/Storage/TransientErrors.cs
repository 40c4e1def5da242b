using MongoDB.Driver;

namespace PersistentTaskStatus.Storage;

/// <summary>
/// Which errors from MongoDB pass by themselves, so that a command which the driver does not retry (index creation,
/// the opening of a change stream) may simply be sent again. Follows the driver's own classification of retryable
/// errors (<c>RetryabilityHelper</c>) and the servers' error labels.
/// </summary>
internal static class TransientErrors
{
    /// <summary>The labels a server (or the driver) puts on an error that a retry may not meet again.</summary>
    private static readonly string[] Labels =
    [
        "RetryableWriteError", "RetryableError", "SystemOverloadedError", "TransientTransactionError", "ResumableChangeStreamError",
    ];

    /// <summary>
    /// The codes of the retryable writes and reads specifications: host unreachable or not found, network timeout,
    /// socket exception, exceeded time limit, not primary, node recovering or shutting down, primary stepped down,
    /// read concern majority not yet available.
    /// </summary>
    private static readonly HashSet<int> Codes = [6, 7, 89, 91, 134, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436];

    public static bool IsTransient(Exception exception) => exception switch
    {
        // Network errors, a cleared connection pool, no server selected in time (the driver's own TimeoutException).
        MongoConnectionException or MongoConnectionPoolPausedException or TimeoutException => true,
        MongoNotPrimaryException or MongoNodeIsRecoveringException => true,
        MongoException mongo when Labels.Any(mongo.HasErrorLabel) => true,
        MongoCommandException command => Codes.Contains(command.Code),
        _ => false,
    };
}

namespace PersistentTaskStatus.TestServer.Engine;

/// <summary>
/// An error that the server reports to the client as MongoDB does: <c>ok: 0</c>, <c>errmsg</c>, <c>code</c>,
/// <c>codeName</c>. Every layer throws it; the command layer turns it into the reply.
/// </summary>
internal sealed class MongoServerException : Exception
{
    public MongoServerException(int code, string codeName, string message)
        : base(message)
    {
        Code = code;
        CodeName = codeName;
    }

    public MongoServerException(ErrorCode error, string message)
        : this((int)error, error.ToString(), message)
    {
    }

    public int Code { get; }

    public string CodeName { get; }

    /// <summary>Extra fields of the error reply (for example <c>keyPattern</c>, <c>keyValue</c>).</summary>
    public MongoDB.Bson.BsonDocument? Details { get; init; }

    public static MongoServerException BadValue(string message) => new(ErrorCode.BadValue, message);

    public static MongoServerException FailedToParse(string message) => new(ErrorCode.FailedToParse, message);

    public static MongoServerException TypeMismatch(string message) => new(ErrorCode.TypeMismatch, message);

    /// <summary>For anything this server does not implement: never a silent no-op.</summary>
    public static MongoServerException NotSupported(string what) =>
        new(ErrorCode.NotImplemented, $"{what} is not supported by the PersistentTaskStatus test server");
}

/// <summary>MongoDB's error codes (src/mongo/base/error_codes.yml), the ones this server reports.</summary>
internal enum ErrorCode
{
    InternalError = 1,
    BadValue = 2,
    NoSuchKey = 4,
    FailedToParse = 9,
    Unauthorized = 13,
    TypeMismatch = 14,
    IllegalOperation = 20,
    NamespaceNotFound = 26,
    IndexNotFound = 27,
    PathNotViable = 28,
    ConflictingUpdateOperators = 40,
    CursorNotFound = 43,
    NamespaceExists = 48,
    DollarPrefixedFieldName = 52,
    InvalidIdField = 53,
    InvalidDBRef = 55,
    NotSingleValueField = 54,
    EmptyFieldName = 56,
    DottedFieldName = 57,
    CommandNotFound = 59,
    ImmutableField = 66,
    InvalidOptions = 72,
    InvalidNamespace = 73,
    IndexOptionsConflict = 85,
    IndexKeySpecsConflict = 86,
    NotImplemented = 238,
    OperationFailed = 96,
    NoSuchTransaction = 251,
    Location16020 = 16020,
    Interrupted = 11601,
    DuplicateKey = 11000,
    DocumentValidationFailure = 121,
    InvalidResumeToken = 260,
    CannotCreateIndex = 67,
    BSONObjectTooLarge = 10334,
    MaxTimeMSExpired = 50,
    Location40352 = 40352,
    InvalidPipelineOperator = 168,
    Location15983 = 15983,
    Location17276 = 17276,
    Location31254 = 31254,
    Location40323 = 40323,
    Location40324 = 40324,
    ChangeStreamFatalError = 280,
    ChangeStreamHistoryLost = 286,
    HostUnreachable = 6,
    HostNotFound = 7,
    NetworkTimeout = 89,
    ShutdownInProgress = 91,
    PrimarySteppedDown = 189,
    ExceededTimeLimit = 262,
    SocketException = 9001,
    NotWritablePrimary = 10107,
    InterruptedAtShutdown = 11600,
    InterruptedDueToReplStateChange = 11602,
    NotPrimaryNoSecondaryOk = 13435,
    NotPrimaryOrSecondary = 13436,
    StaleShardVersion = 63,
    StaleEpoch = 150,
    StaleConfig = 13388,
    RetryChangeStream = 234,
    FailPointEnabled = 235,
    Location5147000 = 5147000,
}

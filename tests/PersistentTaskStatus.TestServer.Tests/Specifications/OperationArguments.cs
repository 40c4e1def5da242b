namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// An operation's <c>arguments</c>, remembering which ones the runner read, so that an argument it does not handle
/// fails the test instead of being dropped silently.
/// </summary>
internal sealed class OperationArguments(string operationName, BsonDocument? arguments)
{
    private readonly BsonDocument values = arguments ?? [];
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    public BsonValue Required(string name) =>
        Optional(name) ?? throw new InvalidOperationException($"The operation {operationName} needs the argument '{name}'.");

    public BsonValue? Optional(string name)
    {
        read.Add(name);
        return values.TryGetValue(name, out var value) ? value : null;
    }

    public BsonDocument RequiredDocument(string name) => Required(name).AsBsonDocument;

    public BsonDocument? OptionalDocument(string name) => Optional(name)?.AsBsonDocument;

    public string RequiredString(string name) => Required(name).AsString;

    public bool? OptionalBoolean(string name) => Optional(name)?.AsBoolean;

    public int? OptionalInt32(string name) => Optional(name) is { } value ? checked((int)value.ToInt64()) : null;

    public long? OptionalInt64(string name) => Optional(name)?.ToInt64();

    /// <summary>Throws when an argument was given that the operation's implementation never read.</summary>
    public void ThrowIfAnyUnread()
    {
        var unread = values.Names.Where(n => !read.Contains(n)).ToList();
        if (unread.Count > 0)
        {
            throw new NotSupportedException(
                $"The runner does not support the argument(s) {string.Join(", ", unread)} of the operation {operationName}.");
        }
    }
}
